#!/usr/bin/env python3
"""PyTorch CPU replica of flowbench's Glow and DLF models at the `fmnist-small` bench preset, and a
benchmark with the protocol of `flowbench bench` (io.flowbench.bench.Benchmark).

Preset (experiments/bench/fmnist-small.conf + conf/reference.conf defaults):
  input 1x28x28, 2 levels x 8 steps, hidden 128, n-bits 8, learned top prior, no invconv bias,
  factor-out on (channels policy), no logit pre-processing; DLF K=2 equal parts, non-inverse form,
  learned first part, logs = tanh(raw) * rescale + shift with rescale 1, shift 0;
  training batch 64, AdaMax(beta1 0.9, beta2 0.999), lr = max(1e-3 * 0.93^(it/1000), 1e-4) *
  min(1, (it+1)/200), no gradient clipping (the global norm is still computed every step), no L2;
  evaluation batch 250, 64 samples at temperature 0.7.

Usage:
  python bench_torch.py --selftest
  python bench_torch.py --model glow|dlf [--threads N] [--warmup-steps 100 --steps 30 --warmup-calls 10
                        --calls 10] [--layout nhwc|nchw] [--ema] [--json FILE]
Standard library + torch + numpy only.
"""
import argparse
import json
import math
import os
import platform
import re
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)
HIDDEN_INIT_STD = 0.05  # FlowGraph.HIDDEN_INIT_STD
EXPECTED_PARAMETERS = {"glow": 433_888, "dlf": 433_856}


# ----------------------------------------------------------------------------------------------
# Configuration: the fmnist-small preset with reference.conf's defaults
# ----------------------------------------------------------------------------------------------
PRESET = dict(
    input=(1, 28, 28), levels=2, depth=8, hidden=128, n_bits=8,
    dlf_parts=2, dlf_form="non-inverse", dlf_logs_rescale_init=1.0, dlf_logs_shift_init=0.0,
    glow_coupling="affine",
    batch_size=64, eval_batch_size=250, samples=64, temperature=0.7,
    lr=1e-3, lr_decay=0.93, lr_decay_steps=1000, lr_min=1e-4, warmup_steps=200,
    adam_beta1=0.9, adam_beta2=0.999, grad_clip_norm=0.0, ema_decay=0.999, seed=0,
)


# ----------------------------------------------------------------------------------------------
# Layers. Every layer maps x [N, C, H, W] -> (y, logdet [N]) forwards and (x, -logdet) backwards.
# ----------------------------------------------------------------------------------------------
class BoundedLogScale(nn.Module):
    """BoundedLogScale.java: logs = tanh(raw) * rescale + shift, two learned scalars."""

    def __init__(self, rescale_init=1.0, shift_init=0.0):
        super().__init__()
        self.rescale = nn.Parameter(torch.tensor(float(rescale_init)))
        self.shift = nn.Parameter(torch.tensor(float(shift_init)))

    def forward(self, raw):
        return torch.tanh(raw) * self.rescale + self.shift


class Squeeze(nn.Module):
    """Squeeze.java: [C, H, W] -> [4C, H/2, W/2], out channel c*4 + 2i + j = pixel (2h+i, 2w+j) of c."""

    def forward(self, x, logdet, init=False):
        n, c, h, w = x.shape
        y = x.reshape(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, 4 * c, h // 2, w // 2)
        return y, logdet

    def inverse(self, y, logdet):
        n, c4, h2, w2 = y.shape
        c = c4 // 4
        x = y.reshape(n, c, 2, 2, h2, w2).permute(0, 1, 4, 2, 5, 3).reshape(n, c, 2 * h2, 2 * w2)
        return x, logdet


class ActNorm(nn.Module):
    """ActNorm.java: y = (x + b) * exp(s) per channel, log-det = H*W*sum(s); data-dependent init."""
    STD_EPS = 1e-6

    def __init__(self, channels, pixels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.logs = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.pixels = pixels

    @torch.no_grad()
    def initialise_from(self, x):
        mean = x.mean(dim=(0, 2, 3), keepdim=True)
        std = x.std(dim=(0, 2, 3), keepdim=True, unbiased=False)  # ND4J std(false, ...): population std
        self.bias.copy_(-mean)
        self.logs.copy_(-torch.log(std + self.STD_EPS))

    def forward(self, x, logdet, init=False):
        if init:
            self.initialise_from(x)
        y = (x + self.bias) * torch.exp(self.logs)
        return y, logdet + self.logs.sum() * self.pixels

    def inverse(self, y, logdet):
        x = y * torch.exp(-self.logs) - self.bias
        return x, logdet - self.logs.sum() * self.pixels


class InvertibleConv1x1(nn.Module):
    """InvertibleConv1x1.java: W = P L (U + diag(sign * exp(logs))), log|det W| = sum(logs); no bias
    (model.invconv-bias = false). Initialised at a random rotation (QR of a Gaussian matrix)."""

    def __init__(self, channels, pixels, generator):
        super().__init__()
        c = channels
        self.channels = c
        self.pixels = pixels
        gauss = torch.randn(c, c, generator=generator, dtype=torch.float64)
        q, _ = torch.linalg.qr(gauss)
        p, l, u = torch.linalg.lu(q)  # q = p @ l @ u (partial pivoting, like commons-math's P*A = L*U)
        diag = torch.diagonal(u)
        strict_lower = torch.tril(torch.ones(c, c, dtype=torch.float64), -1)
        strict_upper = strict_lower.t().clone()
        self.lower = nn.Parameter((l * strict_lower).float())
        self.upper = nn.Parameter((u * strict_upper).float())
        self.logs = nn.Parameter(torch.log(diag.abs()).float())
        self.register_buffer("perm", p.float())
        self.register_buffer("sign", torch.sign(diag).float())
        self.register_buffer("eye", torch.eye(c))
        self.register_buffer("lmask", strict_lower.float())
        self.register_buffer("umask", strict_upper.float())

    def weight(self):
        l = self.lower * self.lmask + self.eye
        u = self.upper * self.umask + self.eye * (self.sign * torch.exp(self.logs))
        return self.perm @ (l @ u)  # [out, in]

    def forward(self, x, logdet, init=False):
        c = self.channels
        y = F.conv2d(x, self.weight().view(c, c, 1, 1))
        return y, logdet + self.logs.sum() * self.pixels

    def inverse(self, y, logdet):
        c = self.channels
        w_inv = torch.linalg.inv(self.weight())  # matrixInverse in the graph, every call
        return F.conv2d(y, w_inv.view(c, c, 1, 1)), logdet - self.logs.sum() * self.pixels


class ConvNet(nn.Module):
    """ConvNet.java: conv3x3 -> ReLU -> conv1x1 -> ReLU -> zero-initialised conv3x3 ("same" padding,
    biases zero-initialised, hidden weights N(0, 0.05^2)); no ActNorm inside. The Java code runs the
    hidden maps in NHWC; `channels_last=True` does the same here."""
    channels_last = False

    def __init__(self, in_channels, hidden, out_channels, generator):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, hidden, 3, padding=1)
        self.conv2 = nn.Conv2d(hidden, hidden, 1)
        self.conv3 = nn.Conv2d(hidden, out_channels, 3, padding=1)
        with torch.no_grad():
            self.conv1.weight.copy_(torch.randn(self.conv1.weight.shape, generator=generator) * HIDDEN_INIT_STD)
            self.conv1.bias.zero_()
            self.conv2.weight.copy_(torch.randn(self.conv2.weight.shape, generator=generator) * HIDDEN_INIT_STD)
            self.conv2.bias.zero_()
            self.conv3.weight.zero_()
            self.conv3.bias.zero_()

    def forward(self, x):
        if ConvNet.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        h = torch.relu(self.conv1(x))
        h = torch.relu(self.conv2(h))
        h = self.conv3(h)
        if ConvNet.channels_last:
            h = h.contiguous()
        return h


class AffineCoupling(nn.Module):
    """AffineCoupling.java: [xa, xb]; (t, r) = NN(xa) (first / second channel half);
    yb = (xb + t) * sigmoid(r + 2); log-det = sum(log sigmoid(r + 2))."""
    SCALE_OFFSET = 2.0

    def __init__(self, channels, hidden, generator, additive=False):
        super().__init__()
        self.half = channels // 2
        self.additive = additive
        self.nn = ConvNet(self.half, hidden, self.half if additive else channels, generator)

    def forward(self, x, logdet, init=False):
        xa, xb = x[:, :self.half], x[:, self.half:]
        h = self.nn(xa)
        if self.additive:
            return torch.cat([xa, xb + h], 1), logdet
        t, r = h[:, :self.half], h[:, self.half:]
        pre = r + self.SCALE_OFFSET
        yb = (xb + t) * torch.sigmoid(pre)
        return torch.cat([xa, yb], 1), logdet + F.logsigmoid(pre).sum(dim=(1, 2, 3))

    def inverse(self, y, logdet):
        ya, yb = y[:, :self.half], y[:, self.half:]
        h = self.nn(ya)
        if self.additive:
            return torch.cat([ya, yb - h], 1), logdet
        t, r = h[:, :self.half], h[:, self.half:]
        pre = r + self.SCALE_OFFSET
        xb = yb / torch.sigmoid(pre) - t
        return torch.cat([ya, xb], 1), logdet - F.logsigmoid(pre).sum(dim=(1, 2, 3))


class DynamicLinear(nn.Module):
    """DynamicLinear.java (DLF, arXiv 1905.03239), equal partition, learned first part:
    y_k = (x_k + mu_k) * exp(logs_k); (mu_1, raw_1) learned per channel; (mu_k, raw_k) = g_k(x_{k-1})
    (non-inverse form) or g_k(y_{k-1}) (inverse form); logs = tanh(raw) * rescale + shift."""

    def __init__(self, channels, pixels, hidden, generator, parts=2, form="non-inverse",
                 rescale_init=1.0, shift_init=0.0):
        super().__init__()
        assert channels % parts == 0
        self.size = channels // parts
        self.parts = parts
        self.pixels = pixels
        self.inverse_form = form == "inverse"
        s = self.size
        self.g0_h = nn.Parameter(torch.zeros(1, 2 * s, 1, 1))
        self.g0_logs = BoundedLogScale(rescale_init, shift_init)
        self.nets = nn.ModuleList()
        self.logscales = nn.ModuleList()
        for _ in range(1, parts):  # created in Java order: net g_k, then its BoundedLogScale
            self.nets.append(ConvNet(s, hidden, 2 * s, generator))
            self.logscales.append(BoundedLogScale(rescale_init, shift_init))

    def _shift_logs(self, k, previous):
        s = self.size
        if k == 0:
            h = self.g0_h
            return h[:, :s], self.g0_logs(h[:, s:])
        h = self.nets[k - 1](previous)
        return h[:, :s], self.logscales[k - 1](h[:, s:])

    def _part_logdet(self, k, logs):
        # the first part's log-scales are per channel, broadcast over the pixels
        return logs.sum(dim=(1, 2, 3)) * self.pixels if k == 0 else logs.sum(dim=(1, 2, 3))

    def forward(self, x, logdet, init=False):
        s = self.size
        xs = [x[:, k * s:(k + 1) * s] for k in range(self.parts)]
        ys = []
        for k in range(self.parts):
            cond = None if k == 0 else (ys[k - 1] if self.inverse_form else xs[k - 1])
            mu, logs = self._shift_logs(k, cond)
            ys.append((xs[k] + mu) * torch.exp(logs))
            logdet = logdet + self._part_logdet(k, logs)
        return torch.cat(ys, 1), logdet

    def inverse(self, y, logdet):
        s = self.size
        ys = [y[:, k * s:(k + 1) * s] for k in range(self.parts)]
        xs = []
        for k in range(self.parts):
            cond = None if k == 0 else (ys[k - 1] if self.inverse_form else xs[k - 1])
            mu, logs = self._shift_logs(k, cond)
            xs.append(ys[k] * torch.exp(-logs) - mu)
            logdet = logdet - self._part_logdet(k, logs)
        return torch.cat(xs, 1), logdet


class FlowSequence(nn.Module):
    """FlowSequence.java: layers in order, undone in reverse order; log-dets add up."""

    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x, logdet, init=False):
        for layer in self.layers:
            x, logdet = layer(x, logdet, init)
        return x, logdet

    def inverse(self, y, logdet):
        for layer in reversed(self.layers):
            y, logdet = layer.inverse(y, logdet)
        return y, logdet


def gaussian_log_prob(z, mean, log_sd):
    """DiagonalGaussian.logProb: log N(z; mean, sd^2) summed over C, H, W."""
    eps = (z - mean) * torch.exp(-log_sd)
    return (eps.square() + log_sd * 2 + LOG_2PI).sum(dim=(1, 2, 3)) * -0.5, eps


class SplitPrior(nn.Module):
    """SplitPrior.java: z2 ~ N(mean(z1), sd(z1)^2), (mean, raw) from a zero-initialised 3x3 conv of z1
    (NCHW, with bias), log-sd = tanh(raw) * rescale + shift."""

    def __init__(self, kept, factored):
        super().__init__()
        self.factored = factored
        self.conv = nn.Conv2d(kept, 2 * factored, 3, padding=1)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.bias.zero_()
        self.logscale = BoundedLogScale(1.0, 0.0)

    def given(self, kept):
        h = self.conv(kept)
        return h[:, :self.factored], self.logscale(h[:, self.factored:])


class TopPrior(nn.Module):
    """TopPrior.java (learned): per-channel mean and bounded log-sd, zero-initialised."""

    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.h = nn.Parameter(torch.zeros(1, 2 * channels, 1, 1))
        self.logscale = BoundedLogScale(1.0, 0.0)

    def given(self):
        return self.h[:, :self.channels], self.logscale(self.h[:, self.channels:])


class FlowModel(nn.Module):
    """FlowModel.java + MultiScaleFlow.java: per level a squeeze and `depth` steps; every level but the
    last factors out its last half of channels under a SplitPrior; a TopPrior on the last output."""

    def __init__(self, kind, cfg=PRESET, seed=0):
        super().__init__()
        self.kind = kind
        self.cfg = dict(cfg)
        c, h, w = cfg["input"]
        self.input_shape = (c, h, w)
        self.dimensions = c * h * w
        self.n_bits = cfg["n_bits"]
        gen = torch.Generator().manual_seed(seed)
        self.levels = nn.ModuleList()
        self.split_priors = nn.ModuleList()
        self.latent_shapes = []
        shape = (c, h, w)
        for level in range(cfg["levels"]):
            sc, sh, sw = 4 * shape[0], shape[1] // 2, shape[2] // 2
            pixels = sh * sw
            layers = [Squeeze()]
            for _ in range(cfg["depth"]):
                if kind == "glow":
                    layers.append(FlowSequence([
                        ActNorm(sc, pixels),
                        InvertibleConv1x1(sc, pixels, gen),
                        AffineCoupling(sc, cfg["hidden"], gen, additive=cfg["glow_coupling"] == "additive")]))
                elif kind == "dlf":
                    layers.append(FlowSequence([
                        InvertibleConv1x1(sc, pixels, gen),
                        DynamicLinear(sc, pixels, cfg["hidden"], gen, cfg["dlf_parts"], cfg["dlf_form"],
                                      cfg["dlf_logs_rescale_init"], cfg["dlf_logs_shift_init"])]))
                else:
                    raise ValueError("model kind must be glow or dlf, got " + kind)
            self.levels.append(FlowSequence(layers))
            if level < cfg["levels"] - 1:
                kept = sc // 2
                self.split_priors.append(SplitPrior(kept, sc - kept))
                self.latent_shapes.append((sc - kept, sh, sw))
                shape = (kept, sh, sw)
            else:
                shape = (sc, sh, sw)
        self.top = TopPrior(shape[0])
        self.latent_shapes.append(shape)
        self.initialised = kind != "glow"  # only ActNorm needs data-dependent initialisation

    def parameter_count(self):
        return sum(p.numel() for p in self.parameters())

    def encode(self, x, init=False):
        """MultiScaleFlow.encode: (log p(x) [N], log-det [N], raw latents, whitened latents)."""
        logdet = x.new_zeros(x.shape[0])
        logprob = None
        latents, eps = [], []
        h = x
        for i, level in enumerate(self.levels):
            h, logdet = level(h, logdet, init)
            if i < len(self.split_priors):
                f = self.latent_shapes[i][0]
                kept, z = h[:, :h.shape[1] - f], h[:, h.shape[1] - f:]
                mean, log_sd = self.split_priors[i].given(kept)
                lp, e = gaussian_log_prob(z, mean, log_sd)
                logprob = lp if logprob is None else logprob + lp
                latents.append(z)
                eps.append(e)
                h = kept
        mean, log_sd = self.top.given()
        lp, e = gaussian_log_prob(h, mean, log_sd)
        logprob = lp if logprob is None else logprob + lp
        latents.append(h)
        eps.append(e)
        return logprob + logdet, logdet, latents, eps

    def bits_per_dim(self, x):
        """Per-example bits/dim of the discrete image: -log p / (D ln 2) + n_bits."""
        logprob = self.encode(x)[0]
        return logprob * (-1.0 / (self.dimensions * math.log(2))) + self.n_bits

    def loss(self, x):
        return self.bits_per_dim(x).mean()

    @torch.no_grad()
    def initialise(self, x):
        """Data-dependent initialisation: each ActNorm from its input, in forward order."""
        self.encode(x, init=True)
        self.initialised = True

    def decode(self, eps):
        """MultiScaleFlow.decode: images from whitened latents (factored-out ones first, top last)."""
        mean, log_sd = self.top.given()
        h = eps[-1] * torch.exp(log_sd) + mean
        latent = len(eps) - 1
        for i in range(len(self.levels) - 1, -1, -1):
            if i < len(self.split_priors):
                latent -= 1
                mean, log_sd = self.split_priors[i].given(h)
                h = torch.cat([h, eps[latent] * torch.exp(log_sd) + mean], 1)
            h, _ = self.levels[i].inverse(h, h.new_zeros(h.shape[0]))
        return h

    def sample(self, n, temperature, seed):
        """FlowModel.sample: every latent eps ~ N(0, T^2), then the exact inverse."""
        gen = torch.Generator().manual_seed(seed)
        dtype = next(self.parameters()).dtype
        eps = [torch.randn((n,) + s, generator=gen, dtype=dtype) * temperature for s in self.latent_shapes]
        return self.decode(eps)


# ----------------------------------------------------------------------------------------------
# FLOPs (FlopCount.java): convolution and matrix products, a multiply-add counts 2.
# ----------------------------------------------------------------------------------------------
def flop_count(kind, cfg=PRESET):
    c, h, w = cfg["input"]
    hidden = cfg["hidden"]
    per_image, per_batch = 0.0, 0.0

    def conv(k, cin, cout, pixels):
        return 2.0 * k * k * cin * cout * pixels

    shape = (c, h, w)
    for level in range(cfg["levels"]):
        sc, pixels = 4 * shape[0], (shape[1] // 2) * (shape[2] // 2)
        for _ in range(cfg["depth"]):
            per_image += 2.0 * sc * sc * pixels  # invconv 1x1
            per_batch += 2 * 2.0 * sc ** 3       # W = P (L U)
            if kind == "glow":
                cin, cout = sc // 2, sc if cfg["glow_coupling"] == "affine" else sc // 2
                nets = [(cin, cout)]
            else:
                s = sc // cfg["dlf_parts"]
                nets = [(s, 2 * s)] * (cfg["dlf_parts"] - 1)
            for cin, cout in nets:
                per_image += conv(3, cin, hidden, pixels) + conv(1, hidden, hidden, pixels) + conv(3, hidden, cout, pixels)
        if level < cfg["levels"] - 1:
            kept = sc // 2
            per_image += conv(3, kept, 2 * (sc - kept), pixels)  # split prior
            shape = (kept, shape[1] // 2, shape[2] // 2)
        else:
            shape = (sc, shape[1] // 2, shape[2] // 2)
    return per_image, per_batch


# ----------------------------------------------------------------------------------------------
# Training (FlowTrainer.java + RunSettings.java)
# ----------------------------------------------------------------------------------------------
def learning_rate(iteration, cfg=PRESET):
    """DecaySchedule.valueAt for 0-based iteration."""
    lr = max(cfg["lr"] * cfg["lr_decay"] ** (iteration / cfg["lr_decay_steps"]), cfg["lr_min"])
    return lr if cfg["warmup_steps"] == 0 else lr * min(1.0, (iteration + 1.0) / cfg["warmup_steps"])


class Trainer:
    """FlowTrainer.step: data-dependent init on the first batch, loss and gradients, NaN/Inf check,
    global gradient L2 norm (clipping when grad-clip-norm > 0), AdaMax update at the scheduled lr.
    The Polyak average (PolyakAverage.java) is not part of FlowTrainer.step and so not of `bench`;
    `ema=True` adds its update after each step for comparison with a real run."""

    def __init__(self, model, cfg=PRESET, ema=False):
        self.model = model
        self.cfg = cfg
        self.params = [p for p in model.parameters()]
        # ND4J AdaMax: m = b1 m + (1-b1) g; u = max(b2 u, |g|) + 1e-32; p -= lr/(1-b1^t) * m / u.
        # torch's Adamax: u = max(b2 u, |g| + eps); same update. eps = 1e-32 matches ND4J's constant.
        self.optimizer = torch.optim.Adamax(self.params, lr=cfg["lr"],
                                            betas=(cfg["adam_beta1"], cfg["adam_beta2"]), eps=1e-32)
        self.steps = 0
        self.grad_norm = float("nan")
        self.ema = [p.detach().clone() for p in self.params] if ema else None

    def step(self, x):
        if not self.model.initialised:
            self.model.initialise(x)
        for p in self.params:
            p.grad = None
        loss = self.model.loss(x)
        loss.backward()
        value = loss.item()
        step = self.steps + 1
        if not math.isfinite(value):
            raise FloatingPointError("step %d: loss %s" % (step, value))
        grads = [p.grad for p in self.params if p.grad is not None]
        # Global L2 norm, one reduction per parameter, accumulated in double (FlowTrainer.globalNorm).
        norms = [float(torch.linalg.vector_norm(g)) for g in grads]
        self.grad_norm = math.sqrt(sum(n * n for n in norms))
        if not math.isfinite(self.grad_norm):
            raise FloatingPointError("step %d: non-finite gradient" % step)
        clip = self.cfg["grad_clip_norm"]
        if clip > 0 and self.grad_norm > clip:
            scale = clip / self.grad_norm
            for g in grads:
                g.mul_(scale)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(step - 1, self.cfg)
        self.optimizer.step()
        if self.ema is not None:
            d = self.cfg["ema_decay"]
            with torch.no_grad():
                for a, p in zip(self.ema, self.params):
                    a.mul_(d).add_(p * (1 - d))
        self.steps = step
        return value


# ----------------------------------------------------------------------------------------------
# Benchmark (Benchmark.java)
# ----------------------------------------------------------------------------------------------
def random_input(n, shape, seed):
    """ModelVerifier.randomInput: uniform [-0.5, 0.5) (drawn in double, cast to float)."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.random((n,) + tuple(shape)) - 0.5).float()


class PeakRss:
    """Peak resident memory of a phase: the kernel's VmHWM, reset per phase via /proc/self/clear_refs
    (Java samples RSS every 5 ms instead); falls back to getrusage's lifetime maximum."""

    def __init__(self):
        self.resettable = True

    @staticmethod
    def _status(field):
        try:
            with open("/proc/self/status") as f:
                m = re.search(field + r":\s+(\d+) kB", f.read())
            return int(m.group(1)) * 1024 if m else None
        except OSError:
            return None

    def reset(self):
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            self.resettable = False

    def peak(self):
        hwm = self._status("VmHWM") if self.resettable else None
        if hwm is None:
            hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return hwm


def phase_result(phase, batch, seconds, flops_per_call, rss):
    s = sorted(seconds)
    n = len(s)
    median = s[n // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2
    return dict(phase=phase, batch=batch, calls=n, median_seconds=median, min_seconds=s[0], max_seconds=s[-1],
                images_per_second=batch / median, gflops_per_second=flops_per_call / median / 1e9,
                peak_resident_bytes=rss, seconds=list(seconds))


def run_bench(args):
    cfg = PRESET
    if args.threads:
        torch.set_num_threads(args.threads)
    ConvNet.channels_last = args.layout == "nhwc"
    seed = cfg["seed"]
    per_image, per_batch = flop_count(args.model, cfg)
    meter = PeakRss()

    t0 = time.perf_counter()
    model = FlowModel(args.model, cfg, seed)
    trainer = Trainer(model, cfg, ema=args.ema)
    build_seconds = time.perf_counter() - t0
    baseline_rss = PeakRss._status("VmRSS")
    params = model.parameter_count()
    print("parameters: %s = %d%s" % (args.model, params,
          "" if params == EXPECTED_PARAMETERS[args.model] else " (EXPECTED %d)" % EXPECTED_PARAMETERS[args.model]))

    batch = cfg["batch_size"]
    inputs = [random_input(batch, model.input_shape, seed + i) for i in range(4)]

    phases = []
    meter.reset()
    warmup = []
    for i in range(args.warmup_steps):
        t = time.perf_counter()
        trainer.step(inputs[i % 4])
        warmup.append(time.perf_counter() - t)
        if (i + 1) % 25 == 0:
            print("%s: warm-up step %d/%d, %.0f ms" % (args.model, i + 1, args.warmup_steps, warmup[-1] * 1e3),
                  file=sys.stderr)
    timed = []
    last_loss = float("nan")
    for i in range(args.steps):
        t = time.perf_counter()
        last_loss = trainer.step(inputs[i % 4])
        timed.append(time.perf_counter() - t)
    phases.append(phase_result("train", batch, timed, 3.0 * (batch * per_image + per_batch), meter.peak()))

    model.eval()
    eval_batch = cfg["eval_batch_size"]
    eval_x = random_input(eval_batch, model.input_shape, seed + 4)

    def repeat(call):
        with torch.no_grad():
            for _ in range(args.warmup_calls):
                call()
            times = []
            for _ in range(args.calls):
                t = time.perf_counter()
                call()
                times.append(time.perf_counter() - t)
        return times

    meter.reset()
    ev = repeat(lambda: model.bits_per_dim(eval_x))
    phases.append(phase_result("evaluate", eval_batch, ev, eval_batch * per_image + per_batch, meter.peak()))

    samples = max(1, cfg["samples"])
    sample_seed = [seed]

    def sample_call():
        out = model.sample(samples, cfg["temperature"], sample_seed[0])
        sample_seed[0] += 1
        return out

    meter.reset()
    sm = repeat(sample_call)
    phases.append(phase_result("sample", samples, sm, samples * per_image + per_batch, meter.peak()))

    first_step = warmup[0] if warmup else timed[0]
    print("fmnist-small/%s (pytorch %s, %d threads, %s layout%s): %s parameters; %.1f MFLOP/image forward; "
          "build %.2f s, first step %.3f s, %d warm-up steps; RSS after import and build %.0f MiB"
          % (args.model, torch.__version__, torch.get_num_threads(), args.layout, ", EMA" if args.ema else "",
             format(params, ","), per_image / 1e6, build_seconds, first_step, len(warmup),
             (baseline_rss or 0) / 2 ** 20))
    print("%-6s %-9s %6s %10s %10s %8s %9s" % ("model", "phase", "batch", "median ms", "images/s", "GFLOP/s", "RSS MiB"))
    for p in phases:
        print("%-6s %-9s %6d %10.1f %10.1f %8.1f %9.0f" % (
            args.model, p["phase"], p["batch"], p["median_seconds"] * 1e3, p["images_per_second"],
            p["gflops_per_second"], p["peak_resident_bytes"] / 2 ** 20))

    result = dict(
        preset="fmnist-small", model=args.model, framework="pytorch", torch_version=torch.__version__,
        parameters=params,
        flops=dict(forward_per_image=per_image, per_batch=per_batch, training_factor=3.0),
        options=dict(warmup_steps=args.warmup_steps, steps=args.steps, warmup_calls=args.warmup_calls,
                     calls=args.calls, threads=torch.get_num_threads(), layout=args.layout, ema=args.ema),
        build_seconds=build_seconds, first_step_seconds=first_step, warmup_step_ms=[s * 1e3 for s in warmup],
        last_training_loss_bits_per_dim=last_loss, last_grad_norm=trainer.grad_norm,
        phases=phases,
        machine=dict(cores=os.cpu_count(), platform=platform.platform(), python=platform.python_version(),
                     omp_num_threads=os.environ.get("OMP_NUM_THREADS"),
                     resident_bytes_after_build=baseline_rss,
                     lifetime_max_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                     peak_rss_per_phase=meter.resettable),
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": [result]}, f, indent=2)
    return result


# ----------------------------------------------------------------------------------------------
# Self-test
# ----------------------------------------------------------------------------------------------
def perturb(model, std, seed):
    """ModelVerifier.perturbParameters: N(0, std^2) on every parameter (exercises zero-init layers)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen, dtype=torch.float64).to(p.dtype) * std)


def jacobian_logdet(fn, x):
    """log|det| of the Jacobian of the flattened map fn at one example x [1, C, H, W] (float64)."""
    flat = x.reshape(-1)

    def f(v):
        return fn(v.reshape(x.shape)).reshape(-1)

    jac = torch.autograd.functional.jacobian(f, flat)
    return torch.linalg.slogdet(jac)[1].item()


def selftest():
    torch.manual_seed(0)
    ok = True

    def report(name, err, tol):
        nonlocal ok
        passed = err <= tol and err == err
        ok &= passed
        print("%-58s %-4s error %.3e (tolerance %.0e)" % (name, "ok" if passed else "FAIL", err, tol))

    # 1. Parameter counts and FLOPs at the preset.
    for kind in ("glow", "dlf"):
        m = FlowModel(kind)
        n = m.parameter_count()
        print("parameters %-4s: %d (flowbench %d) %s" % (kind, n, EXPECTED_PARAMETERS[kind],
                                                         "ok" if n == EXPECTED_PARAMETERS[kind] else "FAIL"))
        ok &= n == EXPECTED_PARAMETERS[kind]
        print("forward MFLOP/image %-4s: %.3f (FlopCount: 96.9 for Glow)" % (kind, flop_count(kind)[0] / 1e6))

    # 2. inverse(forward(x)) == x at the preset size, float32, perturbed parameters, after ActNorm init.
    for kind in ("glow", "dlf"):
        for channels_last in (False, True):
            ConvNet.channels_last = channels_last
            m = FlowModel(kind, seed=1)
            x = random_input(8, m.input_shape, 7)
            m.initialise(x)
            perturb(m, 0.02, 3)
            with torch.no_grad():
                _, _, _, eps = m.encode(x)
                back = m.decode(eps)
            report("%s reconstruction float32 (%s), 8x1x28x28" % (kind, "nhwc" if channels_last else "nchw"),
                   (back - x).abs().max().item(), 1e-4)
    ConvNet.channels_last = False

    # 3. log-det of each step kind and each layer against autograd's Jacobian, float64, small instance.
    torch.set_default_dtype(torch.float64)
    try:
        gen = torch.Generator().manual_seed(5)
        c, hw, hidden = 4, 4, 16
        x = torch.randn(1, c, hw, hw, generator=gen)
        cases = {
            "actnorm": ActNorm(c, hw * hw),
            "invconv 1x1 (LU)": InvertibleConv1x1(c, hw * hw, gen),
            "affine coupling": AffineCoupling(c, hidden, gen),
            "dynamic linear K=2": DynamicLinear(c, hw * hw, hidden, gen, 2),
            "dynamic linear K=4 inverse form": DynamicLinear(c, hw * hw, hidden, gen, 4, "inverse"),
            "glow step (actnorm, invconv, coupling)": FlowSequence([
                ActNorm(c, hw * hw), InvertibleConv1x1(c, hw * hw, gen), AffineCoupling(c, hidden, gen)]),
            "dlf step (invconv, dynamic linear)": FlowSequence([
                InvertibleConv1x1(c, hw * hw, gen), DynamicLinear(c, hw * hw, hidden, gen, 2)]),
            "squeeze": Squeeze(),
        }
        for name, layer in cases.items():
            layer.double()
            perturb(layer, 0.1, 11)
            for p in layer.parameters():
                p.requires_grad_(False)
            y, ld = layer(x, x.new_zeros(1))
            numeric = jacobian_logdet(lambda v: layer(v, v.new_zeros(1))[0], x)
            report("log-det %s" % name, abs(ld.item() - numeric) / max(1.0, abs(numeric)), 1e-8)
            back, ld_inv = layer.inverse(y, y.new_zeros(1))
            report("inverse %s (and its log-det)" % name,
                   max((back - x).abs().max().item(), abs(ld_inv.item() + ld.item())), 1e-10)

        # Whole small models: log-det of x -> (all latents) against the Jacobian, as ModelVerifier does.
        small = dict(PRESET, input=(1, 8, 8), depth=2, hidden=16)
        for kind in ("glow", "dlf"):
            m = FlowModel(kind, small, seed=2).double()
            xs = torch.rand(4, 1, 8, 8, generator=gen) - 0.5
            m.initialise(xs)
            perturb(m, 0.05, 13)
            for p in m.parameters():
                p.requires_grad_(False)
            x1 = xs[:1]
            _, ld, _, eps = m.encode(x1)
            numeric = jacobian_logdet(lambda v: torch.cat([z.reshape(1, -1) for z in m.encode(v)[2]], 1), x1)
            report("log-det whole %s model 1x8x8 (2 levels x 2 steps)" % kind,
                   abs(ld.item() - numeric) / max(1.0, abs(numeric)), 1e-8)
            report("reconstruction whole %s model float64" % kind, (m.decode(eps) - x1).abs().max().item(), 1e-10)
    finally:
        torch.set_default_dtype(torch.float32)

    # 4. One training step runs and changes the loss; bits/dim at init is finite.
    for kind in ("glow", "dlf"):
        m = FlowModel(kind)
        tr = Trainer(m)
        x = random_input(PRESET["batch_size"], m.input_shape, 0)
        l0 = tr.step(x)
        l1 = tr.step(x)
        print("%s: training loss %.4f -> %.4f bits/dim, grad norm %.3f" % (kind, l0, l1, tr.grad_norm))
        ok &= math.isfinite(l0) and math.isfinite(l1) and l1 != l0
    print("SELFTEST", "PASSED" if ok else "FAILED")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["glow", "dlf"], default="glow")
    ap.add_argument("--warmup-steps", type=int, default=100)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup-calls", type=int, default=10)
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: torch's default)")
    ap.add_argument("--layout", choices=["nchw", "nhwc"], default="nhwc",
                    help="memory layout of the coupling networks' maps: nhwc (channels_last; flowbench runs them in NHWC, the default) or nchw (PyTorch's default)")
    ap.add_argument("--ema", action="store_true",
                    help="also update a Polyak average each step (a run does; flowbench bench does not)")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    if args.warmup_steps < 0 or args.warmup_calls < 0 or args.steps < 1 or args.calls < 1:
        ap.error("warm-up counts must be >= 0, --steps and --calls >= 1")
    if args.selftest:
        if args.threads:
            torch.set_num_threads(args.threads)
        sys.exit(0 if selftest() else 1)
    run_bench(args)


if __name__ == "__main__":
    main()
