"""Exact values used as expected results in tests/scoring (run: python exact_values.py).

1. Shrout & Fleiss (1979), Table 4: the six ICCs of their 6 targets × 4 judges matrix, with
   exact rational arithmetic (fractions), so the 7-digit values in REFERENCES.md
   (.1657418, .2897638, .7148407, .4427971, .6200505, .9093155) can be checked independently of
   numpy and of the implementation under test.
2. Jacobson & Truax (1991) worked case: SD 7.5, r .80, 32 → 44.
3. rwg(J) hand example used in test_psychometrics.py.
"""

from __future__ import annotations

from decimal import Decimal, getcontext
from fractions import Fraction

MATRIX = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def shrout_fleiss() -> dict[str, Fraction]:
    n, k = len(MATRIX), len(MATRIX[0])
    grand = Fraction(sum(map(sum, MATRIX)), n * k)
    rows = [Fraction(sum(r), k) for r in MATRIX]
    cols = [Fraction(sum(r[j] for r in MATRIX), n) for j in range(k)]
    ss_total = sum((x - grand) ** 2 for r in MATRIX for x in r)
    ss_rows = k * sum((m - grand) ** 2 for m in rows)
    ss_cols = n * sum((m - grand) ** 2 for m in cols)
    bms = ss_rows / (n - 1)
    wms = (ss_total - ss_rows) / (n * (k - 1))
    jms = ss_cols / (k - 1)
    ems = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    return {
        "ICC(1,1)": (bms - wms) / (bms + (k - 1) * wms),
        "ICC(2,1)": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC(3,1)": (bms - ems) / (bms + (k - 1) * ems),
        "ICC(1,k)": (bms - wms) / bms,
        "ICC(2,k)": (bms - ems) / (bms + (jms - ems) / n),
        "ICC(3,k)": (bms - ems) / bms,
    }


def jacobson_truax() -> tuple[Decimal, Decimal, Decimal]:
    getcontext().prec = 30
    sem = Decimal("7.5") * (Decimal(1) - Decimal("0.8")).sqrt()
    s_diff = (2 * sem**2).sqrt()
    return sem, s_diff, (Decimal(44) - Decimal(32)) / s_diff


def rwg_hand_example() -> Fraction:
    # 3 raters × 2 items: item 1 = (4, 5, 4), item 2 = (3, 4, 5); 5-point scale, σ²E = 2.
    def var(xs: list[int]) -> Fraction:
        m = Fraction(sum(xs), len(xs))
        return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    s2 = (var([4, 5, 4]) + var([3, 4, 5])) / 2
    j, ratio = 2, s2 / 2
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


if __name__ == "__main__":
    for name, value in shrout_fleiss().items():
        print(f"{name}: {value} = {float(value):.10f}")
    print("SEM, S_diff, RCI:", *(f"{v:.10f}" for v in jacobson_truax()))
    print("rwg hand example:", rwg_hand_example())
