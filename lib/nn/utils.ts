// torch.nn.utils: the parts this project has (conv/Linear–BatchNorm fusion for inference).
export { fuseConvBnEval, fuseConvBnWeights, fuseLinearBnEval, fuseLinearBnWeights, fuseModules } from "./fusion.js";
