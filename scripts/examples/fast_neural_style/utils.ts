// pytorch/examples fast_neural_style/neural_style/utils.py: the Gram matrix and ImageNet
// normalisation the losses use (image loading and saving are neural_style.ts's).
import * as torch from "../../../lib/index.js";

type Tensor = torch.Tensor;

export function gramMatrix(y: Tensor): Tensor {
  const [b, ch, h, w] = y.shape as [number, number, number, number];
  const features = y.view(b, ch, w * h);
  const featuresT = features.transpose(1, 2);
  return features.bmm(featuresT).div(ch * h * w);
}

/** Normalizes with ImageNet's mean and std; divides `batch` by 255 in place, as the original. */
export function normalizeBatch(batch: Tensor): Tensor {
  // Python's batch.new_tensor(...): torch-ts has no Tensor.newTensor yet.
  const like = { dtype: batch.dtype, device: batch.device };
  const mean = torch.tensor([0.485, 0.456, 0.406], like).view(-1, 1, 1);
  const std = torch.tensor([0.229, 0.224, 0.225], like).view(-1, 1, 1);
  batch = batch.div_(255.0);
  return batch.sub(mean).div(std);
}
