#!/usr/bin/env python3
"""The oracle for random transfers on the AOS token blueprint: the ledger
of the ao Standard Token (a transfer moves Quantity from the sender to the
recipient if the sender holds at least that much, else nothing changes).

Prints N lines "transfer FROM TO QUANTITY" (FROM among alice and node, TO
among alice, node and carol) and then "final NAME BALANCE" per account,
starting from alice 1000, node 500:
    token_model.py SEED N
"""
import random
import sys

rng = random.Random(int(sys.argv[1]))
balances = {"alice": 1000, "node": 500, "carol": 0}
for _ in range(int(sys.argv[2])):
    sender = rng.choice(["alice", "node"])
    recipient = rng.choice(["alice", "node", "carol"])
    quantity = rng.randint(1, 400)
    print("transfer", sender, recipient, quantity)
    if quantity <= balances[sender]:
        balances[sender] -= quantity
        balances[recipient] += quantity
for name in ("alice", "node", "carol"):
    print("final", name, balances[name])
