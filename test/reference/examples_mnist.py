# pytorch/examples mnist/main.py, run for test/examples.test.ts. Net, train(), test(), the
# optimizer and scheduler are the original's (train/test take a log instead of printing).
# Changes: argparse -> the request's fields; torch.accelerator -> CPU (so, as in the original
# off an accelerator, the training loader does not shuffle); datasets.MNIST('../data',
# download=True) -> the local copy (examples_common.mnist_root()), sliced to the first
# `limit` / `testLimit` samples; the logs are returned instead of printed.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torchvision import datasets, transforms

from examples_common import first, mnist_root


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch, log):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        log["stepLosses"].append(loss.item())
        if batch_idx % args["logInterval"] == 0:
            if args["dryRun"]:
                break


def test(model, device, test_loader, log):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    log["testLosses"].append(test_loss)
    log["correct"].append(correct)


def run(args):
    torch.manual_seed(args["seed"])
    device = torch.device("cpu")
    train_kwargs = {'batch_size': args["batchSize"]}
    test_kwargs = {'batch_size': args["testBatchSize"]}
    transform = transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize((0.1307,), (0.3081,))
        ])
    dataset1 = first(datasets.MNIST(mnist_root(), train=True, download=False, transform=transform), args["limit"])
    dataset2 = first(datasets.MNIST(mnist_root(), train=False, transform=transform), args["testLimit"])
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args["lr"])
    log = {"stepLosses": [], "testLosses": [], "correct": [], "lrs": []}

    scheduler = StepLR(optimizer, step_size=1, gamma=args["gamma"])
    for epoch in range(1, args["epochs"] + 1):
        log["lrs"].append(optimizer.param_groups[0]["lr"])
        train(args, model, device, train_loader, optimizer, epoch, log)
        test(model, device, test_loader, log)
        scheduler.step()
    return log
