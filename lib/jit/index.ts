// torch.jit: TorchScript modules loaded from Python (torch.jit.load), torch-ts modules traced
// into them (torch.jit.trace), and the inference passes (freeze, optimizeForInference).
export { load, save, type JitLoadOptions } from "./load.js";
export { trace, freeze, optimizeForInference, type TraceOptions } from "./trace.js";
export { ScriptModule, type ScriptArg } from "./script_module.js";
export { ScriptObject, type ScriptValue } from "./ivalue.js";
