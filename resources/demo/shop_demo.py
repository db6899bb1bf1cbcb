"""A small shop report, profiled with kernprof: the bundled demo for lprof-viewer.

Regenerate the profile from this folder with:
    python -m kernprof -l -o demo.lprof shop_demo.py
"""

import random
from dataclasses import dataclass


@dataclass
class Product:
    sku: str
    price: float


@dataclass
class OrderLine:
    sku: str
    quantity: int


CATALOG = [Product(f"SKU-{n:04d}", round(random.Random(n).uniform(1, 90), 2)) for n in range(400)]


@profile
def find_product(sku):
    # A linear scan per lookup: the bottleneck the profile points at.
    for product in CATALOG:
        if product.sku == sku:
            return product
    raise KeyError(sku)


@profile
def order_total(lines):
    total = 0.0
    for line in lines:
        product = find_product(line.sku)
        total += product.price * line.quantity
    return round(total, 2)


@profile
def apply_discounts(total, customer_years):
    discount = min(customer_years, 10) * 0.01
    if total > 500:
        discount += 0.05
    return round(total * (1 - discount), 2)


@profile
def build_report(orders):
    rows = []
    for number, lines in enumerate(orders):
        total = order_total(lines)
        rows.append((number, apply_discounts(total, number % 12)))
    rows.sort(key=lambda row: row[1], reverse=True)
    return rows


def make_orders(count, seed=7):
    rng = random.Random(seed)
    return [
        [OrderLine(f"SKU-{rng.randrange(400):04d}", rng.randint(1, 5)) for _ in range(rng.randint(1, 8))]
        for _ in range(count)
    ]


if __name__ == "__main__":
    report = build_report(make_orders(300))
    print(f"{len(report)} orders, best {report[0][1]:.2f}")
