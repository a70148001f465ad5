#!/usr/bin/env python3
"""PyTorch eager baseline for bench/step_time.py: the GPT that `fmc new gpt`
generates (pre-LayerNorm blocks, fused qkv projection, causal softmax
attention, tanh GELU MLP, untied lm_head, mean cross-entropy), trained with
AdamW and global-norm clipping as `fmc train` does.

Prints one line per thread count: `threads=N ms_per_step=X` (the median of
the timed steps). Exits 3 when torch cannot be imported, so that the caller
can leave the column out.
"""
import argparse
import math
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit(3)


class Block(torch.nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(dim, eps=1e-5)
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.proj = torch.nn.Linear(dim, dim)
        self.ln2 = torch.nn.LayerNorm(dim, eps=1e-5)
        self.fc = torch.nn.Linear(dim, hidden)
        self.fc_proj = torch.nn.Linear(hidden, dim)

    def attention(self, x, batch, seq, mask):
        dim = x.shape[-1]
        head_dim = dim // self.heads
        qkv = self.qkv(x).view(batch, seq, 3, self.heads, head_dim)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(head_dim))
        scores = scores.masked_fill(~mask, -1.0e9)
        out = torch.softmax(scores, dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(batch * seq, dim))

    def forward(self, x, batch, seq, mask):
        x = x + self.attention(self.ln1(x), batch, seq, mask)
        h = F.gelu(self.fc(self.ln2(x)), approximate="tanh")
        return x + self.fc_proj(h)


class Gpt(torch.nn.Module):
    def __init__(self, layers, dim, heads, seq, vocab):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.randn(vocab, dim) * 0.02)
        self.wpe = torch.nn.Parameter(torch.randn(seq, dim) * 0.02)
        self.blocks = torch.nn.ModuleList(
            Block(dim, heads, 4 * dim) for _ in range(layers))
        self.lnf = torch.nn.LayerNorm(dim, eps=1e-5)
        self.lm_head = torch.nn.Linear(dim, vocab, bias=False)
        self.register_buffer(
            "mask", torch.ones(seq, seq, dtype=torch.bool).tril())

    def forward(self, tokens, targets):
        batch, seq = tokens.shape
        x = (self.wte[tokens] + self.wpe).view(batch * seq, -1)
        for block in self.blocks:
            x = block(x, batch, seq, self.mask)
        logits = self.lm_head(self.lnf(x))
        return F.cross_entropy(logits, targets.view(-1))


def time_steps(args, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Gpt(args.layers, args.dim, args.heads, args.seq, args.vocab)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3,
                                  weight_decay=0.01)
    tokens = torch.randint(0, args.vocab, (args.batch, args.seq))
    targets = torch.randint(0, args.vocab, (args.batch, args.seq))
    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = model(tokens, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in [("layers", 2), ("dim", 256), ("heads", 4),
                          ("seq", 128), ("batch", 8), ("vocab", 256),
                          ("steps", 10), ("warmup", 2)]:
        parser.add_argument("--" + name, type=int, default=default)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    for threads in args.threads:
        print(f"threads={threads} ms_per_step={time_steps(args, threads):.2f}",
              flush=True)


if __name__ == "__main__":
    main()
