// The environment's scratch buffer (native/dispatch.cc opScratch): numbers that cross to and
// from native without a Node-API call each. An op with several tensor returns leaves their
// handles here (op_call.ts), and indexing writes its elements here (indexing.ts). Read or
// written right beside the native call that uses it, so no two users overlap.
import { native } from "../binding.js";

export const scratch = new Float64Array(native.opScratch());
