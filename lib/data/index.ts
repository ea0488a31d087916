// torch.utils.data for torch-ts: `import { data } from "torch-ts"`.
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export type { Dataset, DatasetSpec } from "../vision/datasets.js";
export { Subset } from "./subset.js";
