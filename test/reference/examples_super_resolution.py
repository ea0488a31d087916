# pytorch/examples super_resolution (model.py and main.py), run for test/examples.test.ts.
# Net, criterion, optimizer and the train/test loops are the original's. Changes: argparse ->
# the request's fields; torch.accelerator -> CPU; BSDS300 (a download) -> the request's target
# images, whose inputs are their upscale_factor x average pools (in place of data.py's PIL
# CenterCrop/Resize pipeline), as a TensorDataset; num_workers 0 (the ported loader's); the
# checkpoint's torch.save dropped; the logs are returned instead of printed.
from math import log10

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

from examples_common import tensor_of


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()

        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 64, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(64, 64, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(64, 32, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(32, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


def dataset_of(spec, upscale_factor):
    target = tensor_of(spec)
    return TensorDataset(F.avg_pool2d(target, upscale_factor), target)


def run(req):
    upscale_factor = req["upscaleFactor"]
    torch.manual_seed(req["seed"])
    device = torch.device("cpu")
    train_set = dataset_of(req["train"], upscale_factor)
    test_set = dataset_of(req["test"], upscale_factor)
    training_data_loader = DataLoader(dataset=train_set, num_workers=0, batch_size=req["batchSize"], shuffle=True)
    testing_data_loader = DataLoader(dataset=test_set, num_workers=0, batch_size=req["testBatchSize"], shuffle=False)

    model = Net(upscale_factor=upscale_factor).to(device)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=req["lr"])
    log = {"stepLosses": [], "epochLosses": [], "testMse": [], "psnr": [], "repr": repr(model)}

    def train(epoch):
        epoch_loss = 0
        for iteration, batch in enumerate(training_data_loader, 1):
            input, target = batch[0].to(device), batch[1].to(device)

            optimizer.zero_grad()
            loss = criterion(model(input), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
            log["stepLosses"].append(loss.item())
        log["epochLosses"].append(epoch_loss / len(training_data_loader))

    def test():
        avg_psnr = 0
        with torch.no_grad():
            for batch in testing_data_loader:
                input, target = batch[0].to(device), batch[1].to(device)

                prediction = model(input)
                mse = criterion(prediction, target)
                log["testMse"].append(mse.item())
                psnr = 10 * log10(1 / mse.item())
                avg_psnr += psnr
        log["psnr"].append(avg_psnr / len(testing_data_loader))

    for epoch in range(1, req["nEpochs"] + 1):
        train(epoch)
        test()
    return log
