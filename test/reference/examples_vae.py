# pytorch/examples vae/main.py, run for test/examples.test.ts. Model, loss, optimizer and loops
# are the original's. Changes: argparse -> the request's fields; torch.accelerator (PyTorch 2.x)
# -> CPU; datasets.MNIST('../data', download=True) -> the local copy (examples.mnist_root()),
# sliced to the first `limit` / `testLimit` samples; save_image calls dropped (their tensors are
# still computed, so every random draw stays); the logs are returned instead of printed.
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F
from torchvision import datasets, transforms

from examples_common import first, mnist_root


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def run(req):
    batch_size, epochs, seed = req["batchSize"], req["epochs"], req["seed"]
    torch.manual_seed(seed)
    device = torch.device("cpu")
    kwargs = {}
    train_loader = torch.utils.data.DataLoader(
        first(datasets.MNIST(mnist_root(), train=True, download=False, transform=transforms.ToTensor()), req["limit"]),
        batch_size=batch_size, shuffle=True, **kwargs)
    test_loader = torch.utils.data.DataLoader(
        first(datasets.MNIST(mnist_root(), train=False, transform=transforms.ToTensor()), req["testLimit"]),
        batch_size=batch_size, shuffle=False, **kwargs)

    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    log = {"stepLosses": [], "epochLosses": [], "testLosses": []}

    def train(epoch):
        model.train()
        train_loss = 0
        for batch_idx, (data, _) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            log["stepLosses"].append(loss.item())
        log["epochLosses"].append(train_loss / len(train_loader.dataset))

    def test(epoch):
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                data = data.to(device)
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
        test_loss /= len(test_loader.dataset)
        log["testLosses"].append(test_loss)

    for epoch in range(1, epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            sample = torch.randn(64, 20).to(device)
            sample = model.decode(sample).cpu()
    return log
