#!/usr/bin/python3
"""Generate config/plans/ningbo-14th-fyp.yaml, the default plan of pipelined.

The published facts are few: 753 major construction projects, more than
RMB 1.73 trillion to be invested over the 14th Five-Year Plan (2021-2025), the
five areas, the "361" industrial clusters and a handful of named projects with
a start month, a district or a total.  Everything else (the unnamed projects,
most amounts, districts and dates) is generated here and marked `illustrative`
in the output, so that the daemon has a complete plan of realistic shape.
About a third of the generated projects are continuing (续建): under way
before 2021, with the investment they had completed by then.

Deterministic: the only randomness is a fixed-seed 64-bit LCG, and only integer
and IEEE basic float arithmetic (+ - * / sqrt) is used, so every run on every
platform writes the same bytes.

Usage: /usr/bin/python3 generate_ningbo_plan.py [OUTPUT_PATH]
       (default: ../plans/ningbo-14th-fyp.yaml relative to this script)
"""

import math
import os
import sys

# ---------------------------------------------------------------------------
# Published figures and sources
# ---------------------------------------------------------------------------

PLAN_CODE = "ningbo-14th-fyp"
PLAN_NAME = "Ningbo 14th Five-Year Plan major construction projects"
PERIOD_START = (2021, 1)
PERIOD_END = (2025, 12)
FIRST_YEAR, LAST_YEAR = 2021, 2025
DECLARED_PROJECTS = 753
DECLARED_INVESTMENT_YUAN = 1730000000000

UNIT = 10000  # amounts are rounded to 10,000 yuan (wan yuan)
YI = 100000000  # 100 million yuan

SEEDS = {
    "000": "Ningbo accelerates modern industrial system building",
    "001": "Strategic emerging industries grow rapidly in Ningbo",
    "002": "Ningbo Launched a New Round of Manufacturing Upgrade",
    "003": '"14th Five-Year Plan for Ningbo Major Construction Projects" Released',
    "004": "In the first half of the year, the growth rate of industrial investment "
           "increased by 15.4% year-on-year",
}


def seed(key, note=""):
    text = "seed: " + SEEDS[key] + " (Ningbo Life)"
    return text + (", " + note if note else "")


# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------

# (code, English name, short code used in project codes)
AREAS = [
    ("sci_tech_innovation", "Scientific and technological innovation", "STI"),
    ("modern_industry", "Modern industry", "IND"),
    ("transportation", "Transportation facilities", "TRN"),
    ("eco_environment", "Ecological and environmental protection", "ECO"),
    ("social_livelihood", "Social and people's livelihood", "SOC"),
]

# Project counts per area (sum 753) and planned 2021-2025 investment per area
# (sum 1.73 trillion).  The split is an assumption: the plan publishes totals.
AREA_COUNT = {
    "sci_tech_innovation": 60,
    "modern_industry": 300,
    "transportation": 140,
    "eco_environment": 103,
    "social_livelihood": 150,
}
AREA_INVESTMENT = {
    "sci_tech_innovation": 110 * 10**9,
    "modern_industry": 600 * 10**9,
    "transportation": 520 * 10**9,
    "eco_environment": 200 * 10**9,
    "social_livelihood": 300 * 10**9,
}

# The "361" clusters (seed 004): (code, name, level, lowercase label, weight
# among generated industrial projects, relative project size).
CLUSTERS = [
    ("digital_industry", "Digital industry", "trillion", "digital industry", 16, 1.2),
    ("green_petrochemical", "Green petrochemical", "trillion", "green petrochemical", 9, 3.0),
    ("high_end_equipment", "High-end equipment", "trillion", "high-end equipment", 18, 1.0),
    ("new_functional_materials", "New functional materials", "hundred_billion",
     "new functional materials", 12, 1.1),
    ("green_energy", "Green energy", "hundred_billion", "green energy", 11, 1.4),
    ("key_basic_components", "Key basic components", "hundred_billion", "key basic components", 10, 0.8),
    ("smart_home_appliances", "Smart home appliances", "hundred_billion", "smart home appliances", 7, 0.8),
    ("fashion_textiles_clothing", "Fashion textiles and clothing", "hundred_billion",
     "fashion textiles and clothing", 5, 0.6),
    ("modern_health", "Modern health", "hundred_billion", "modern health", 7, 0.9),
    ("emerging_future_industries", "Emerging and future industries", "emerging",
     "emerging and future industries", 5, 1.0),
]
CLUSTER_LABEL = {c[0]: c[3] for c in CLUSTERS}

# The "361" cluster plan (2023-2027, seed 000): cluster revenue of 3.7 trillion
# yuan by 2027. Published is only that total; the split (three trillion-level
# clusters at 1 trillion, six hundred-billion-level at 100 billion, the
# emerging cluster at 100 billion) and the path from 2023 (78% of the 2027
# figure, rising evenly) are ILLUSTRATIVE.
CLUSTER_PLAN_TOTAL_2027 = 3_700_000_000_000
CLUSTER_TARGET_2027 = {"trillion": 1_000_000_000_000, "hundred_billion": 100_000_000_000,
                       "emerging": 100_000_000_000}
CLUSTER_PATH = {2023: 0.78, 2024: 0.835, 2025: 0.89, 2026: 0.945, 2027: 1.0}


def cluster_targets(level):
    final = CLUSTER_TARGET_2027[level]
    return {year: int(round(final * share / YI)) * YI for year, share in CLUSTER_PATH.items()}


# Year-over-year figures for 2021 need 2020: an ILLUSTRATIVE baseline for the
# whole plan, 90% of the 2021 plan spread evenly over the months of 2020.
BASELINE_SHARE_OF_2021 = 0.9

# (code, name, short label used in generated project names)
DISTRICTS = [
    ("haishu", "Haishu District", "Haishu"),
    ("jiangbei", "Jiangbei District", "Jiangbei"),
    ("zhenhai", "Zhenhai District", "Zhenhai"),
    ("beilun", "Beilun District", "Beilun"),
    ("yinzhou", "Yinzhou District", "Yinzhou"),
    ("fenghua", "Fenghua District", "Fenghua"),
    ("yuyao", "Yuyao City", "Yuyao"),
    ("cixi", "Cixi City", "Cixi"),
    ("ninghai", "Ninghai County", "Ninghai"),
    ("xiangshan", "Xiangshan County", "Xiangshan"),
    ("qianwan", "Qianwan New Area", "Qianwan"),
    ("high_tech_zone", "Ningbo National Hi-tech Zone", "Hi-tech Zone"),
    ("citywide", "City-wide / cross-district", "Cross-district"),
]
DISTRICT_LABEL = {d[0]: d[2] for d in DISTRICTS}

# District weights of generated projects per area (assumed).
DISTRICT_WEIGHTS = {
    "sci_tech_innovation": {
        "high_tech_zone": 20, "yinzhou": 12, "zhenhai": 12, "jiangbei": 10, "haishu": 8, "beilun": 6,
        "qianwan": 6, "yuyao": 5, "cixi": 5, "fenghua": 3, "ninghai": 2, "xiangshan": 2},
    "modern_industry": {
        "beilun": 14, "qianwan": 12, "cixi": 11, "zhenhai": 10, "yuyao": 10, "yinzhou": 10,
        "fenghua": 7, "ninghai": 7, "high_tech_zone": 6, "xiangshan": 5, "jiangbei": 5, "haishu": 3},
    "transportation": {
        "citywide": 30, "beilun": 10, "yinzhou": 8, "zhenhai": 6, "yuyao": 6, "cixi": 6,
        "xiangshan": 6, "jiangbei": 5, "haishu": 5, "fenghua": 5, "ninghai": 5, "qianwan": 5,
        "high_tech_zone": 3},
    "eco_environment": {
        "citywide": 15, "xiangshan": 9, "ninghai": 9, "yuyao": 8, "cixi": 8, "beilun": 8,
        "zhenhai": 7, "yinzhou": 7, "fenghua": 7, "haishu": 5, "jiangbei": 5, "qianwan": 5,
        "high_tech_zone": 2},
    "social_livelihood": {
        "yinzhou": 12, "haishu": 10, "jiangbei": 9, "beilun": 7, "yuyao": 7, "cixi": 7, "zhenhai": 6,
        "fenghua": 6, "ninghai": 5, "xiangshan": 5, "high_tech_zone": 5, "qianwan": 4, "citywide": 3},
}

# Districts where a cluster concentrates (weight x3); green petrochemical is
# confined to the coastal chemical bases.
CLUSTER_DISTRICTS = {
    "digital_industry": ["high_tech_zone", "yinzhou", "jiangbei", "yuyao"],
    "high_end_equipment": ["beilun", "yuyao", "cixi", "fenghua"],
    "new_functional_materials": ["zhenhai", "beilun", "ninghai", "cixi"],
    "green_energy": ["qianwan", "ninghai", "xiangshan", "beilun"],
    "key_basic_components": ["beilun", "yinzhou", "fenghua", "ninghai"],
    "smart_home_appliances": ["cixi", "yuyao", "qianwan", "ninghai"],
    "fashion_textiles_clothing": ["yinzhou", "fenghua", "haishu", "xiangshan"],
    "modern_health": ["qianwan", "high_tech_zone", "yinzhou", "beilun"],
    "emerging_future_industries": ["high_tech_zone", "qianwan", "zhenhai", "jiangbei"],
}
PETROCHEMICAL_DISTRICTS = {"zhenhai": 5, "beilun": 4, "qianwan": 1}

# Themes of generated non-industrial projects: (label, weight, relative size,
# min duration, max duration) in months.
THEMES = {
    "sci_tech_innovation": [
        ("technology incubation platform", 14, 0.5, 18, 36),
        ("achievement transformation platform", 10, 0.6, 18, 36),
        ("industrial technology research institute", 12, 1.0, 24, 48),
        ("industrial innovation centre", 10, 1.0, 24, 48),
        ("research university campus", 4, 2.5, 30, 54),
        ("large scientific facility", 4, 2.0, 30, 54),
    ],
    "transportation": [
        ("rail transit", 10, 4.0, 36, 60),
        ("expressway", 16, 2.2, 30, 60),
        ("railway", 6, 3.0, 36, 60),
        ("port and shipping", 14, 1.4, 24, 54),
        ("urban expressway", 14, 1.5, 24, 48),
        ("bridge and tunnel", 10, 1.6, 30, 54),
        ("trunk highway", 20, 0.7, 18, 42),
        ("transport hub", 6, 1.2, 24, 48),
        ("airport", 3, 2.0, 30, 54),
    ],
    "eco_environment": [
        ("flood, waterlogging and tide defence", 22, 1.0, 18, 48),
        ("water supply", 14, 1.0, 18, 42),
        ("renewable energy", 16, 1.6, 12, 36),
        ("sewage treatment", 14, 0.7, 12, 36),
        ("waste-free city facility", 10, 0.8, 12, 30),
        ("ecological restoration", 12, 0.5, 12, 36),
        ("power grid", 8, 1.2, 18, 42),
    ],
    "social_livelihood": [
        ("urban organic renewal", 22, 1.6, 24, 48),
        ("hospital", 18, 1.0, 24, 48),
        ("school", 20, 0.6, 18, 36),
        ("elderly care", 8, 0.4, 18, 30),
        ("affordable rental housing", 12, 1.2, 18, 42),
        ("culture and sports venue", 10, 0.9, 24, 48),
        ("rural revitalization", 10, 0.4, 12, 36),
    ],
}

# Share of generated construction starts per year (2025: January-June only).
START_YEAR_WEIGHTS = [(2021, 30), (2022, 27), (2023, 22), (2024, 14), (2025, 7)]
LATEST_START = (2025, 6)

SHARE_WITH_LINES = 0.60  # of generated industrial projects
GLOBAL_SEED = 0x6E62_3134_6679_7021  # "nb14fyp!"
# Continuing projects (续建): a five-year plan is largely projects already under
# way when it begins. This share of the generated projects started 3 to 30
# months before the period; what their yearly plans give before it is the
# investment they had completed by then (investment_before_period_yuan).
CONTINUING_SHARE = 0.35
CONTINUING_SEED = 0x6E62_3134_636F_6E74  # "nb14cont", a stream of its own


# ---------------------------------------------------------------------------
# Deterministic random numbers (64-bit LCG, Knuth's MMIX constants)
# ---------------------------------------------------------------------------

class Lcg:
    MASK = (1 << 64) - 1

    def __init__(self, seed_value):
        self.state = seed_value & self.MASK

    def next_u32(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & self.MASK
        return self.state >> 32

    def uniform(self):
        """A float in [0, 1) with 32 bits of resolution."""
        return self.next_u32() / 4294967296.0

    def below(self, n):
        """An integer in [0, n)."""
        return (self.next_u32() * n) >> 32

    def between(self, lo, hi):
        """An integer in [lo, hi]."""
        return lo + self.below(hi - lo + 1)

    def weighted(self, pairs):
        """Picks a key from (key, integer weight) pairs."""
        total = sum(w for _, w in pairs)
        r = self.below(total)
        for key, w in pairs:
            if r < w:
                return key
            r -= w
        raise AssertionError("unreachable")


# ---------------------------------------------------------------------------
# Months and money
# ---------------------------------------------------------------------------

def month_index(ym):
    return ym[0] * 12 + ym[1] - 1


def from_index(index):
    return (index // 12, index % 12 + 1)


def add_months(ym, n):
    return from_index(month_index(ym) + n)


def fmt_month(ym):
    return "%04d-%02d" % ym


def spread_over_years(total, start, completion):
    """Splits `total` yuan (a multiple of UNIT) over the calendar years from
    start to completion in proportion to the construction months in each year,
    in multiples of UNIT (largest remainder, ties to the earlier year)."""
    assert total % UNIT == 0 and total > 0
    units = total // UNIT
    months = {}
    for i in range(month_index(start), month_index(completion) + 1):
        year = i // 12
        months[year] = months.get(year, 0) + 1
    n = sum(months.values())
    years = sorted(months)
    shares = {y: units * months[y] // n for y in years}
    remainders = sorted(years, key=lambda y: (-(units * months[y] % n), y))
    for y in remainders[:units - sum(shares.values())]:
        shares[y] += 1
    return {y: shares[y] * UNIT for y in years if shares[y] > 0}


def in_period(plan_by_year):
    return sum(v for y, v in plan_by_year.items() if FIRST_YEAR <= y <= LAST_YEAR)


# ---------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------

class Project:
    def __init__(self, area, name, district, start, completion, cluster=None, total=None,
                 plan=None, lines=None, illustrative="all", source=None, weight=None):
        self.code = None
        self.area = area
        self.name = name
        self.cluster = cluster
        self.district = district
        self.start = start
        self.completion = completion
        self.lines = lines or []  # [(id, (year, month))]
        self.illustrative = illustrative  # "all" or a list of keys
        self.source = source
        self.weight = weight  # relative size, generated projects only
        self.plan = plan  # {year: yuan}
        self.total = total
        self.continuing = None  # (started_on (y, m, d), investment before the period) for continuing projects
        if plan is None and total is not None:
            self.plan = spread_over_years(total, start, completion)


def named(area, name, district, start, completion, total, cluster=None, lines=None,
          illustrative="all", source=None):
    """A project from the seed articles; its yearly plan spreads `total`
    (investment_total_yuan) over the construction months."""
    return Project(area, name, district, start, completion, cluster=cluster, total=total,
                   lines=lines, illustrative=illustrative, source=source)


def lines_of(*launches):
    return [("line-%d" % (i + 1), ym) for i, ym in enumerate(launches)]


def named_projects():
    """Projects named in (or described by) the seed articles, per area."""
    sti, ind, trn, eco, soc = (a[0] for a in AREAS)
    keys_sched = ["investment_total_yuan", "investment_plan_yuan", "construction_start", "completion"]
    result = {a[0]: [] for a in AREAS}

    # -- Scientific and technological innovation (seed 001, seed 003) --------
    result[sti] += [
        named(sti, "Yongjiang River Science and Technology Innovation Zone", "high_tech_zone",
              (2021, 6), (2027, 12), 300 * YI, illustrative=["district"] + keys_sched,
              source=seed("001", "provincial deepening pilot project for innovation")),
        named(sti, "Yongjiang Laboratory (provincial laboratory for new materials)", "zhenhai",
              (2021, 3), (2025, 12), 60 * YI, cluster="new_functional_materials",
              illustrative=["district"] + keys_sched,
              source=seed("001", "10 research centres and 16 research teams")),
        named(sti, "Ningbo Oriental University of Technology (temporary name) campus", "zhenhai",
              (2021, 9), (2026, 6), 120 * YI, illustrative=["district"] + keys_sched,
              source=seed("001", "47 core teaching and research talents incl. seven academicians")),
        named(sti, "Industrial Internet technological innovation highland (illustrative)", "high_tech_zone",
              (2022, 3), (2025, 9), 25 * YI, cluster="digital_industry",
              source=seed("003", "one of three technological innovation highlands")),
        named(sti, "Key core basic components technological innovation highland (illustrative)", "beilun",
              (2022, 6), (2025, 12), 20 * YI, cluster="key_basic_components",
              source=seed("003", "one of three technological innovation highlands")),
    ]

    # -- Modern industry: named enterprises (seed 004) -------------------------
    result[ind] += [
        named(ind, "Qinbang New Material solar photovoltaic backsheet film industrialization base "
                   "(480 million m2 a year)", "ninghai",
              (2023, 3), (2027, 6), 15 * YI, cluster="new_functional_materials",
              lines=lines_of((2024, 4), (2025, 4), (2026, 4), (2027, 3)),
              illustrative=["district", "investment_total_yuan", "investment_plan_yuan",
                            "production_lines", "completion"],
              source=seed("004", "started March 2023, four lines, first line April 2024, all in "
                                 "operation by 2027 (the article says this year and next year)")),
        named(ind, "Junjia Electric Appliance new project (292 mu, air fryers and small kitchen appliances)",
              "qianwan", (2023, 5), (2025, 10), 22 * YI, cluster="smart_home_appliances",
              lines=lines_of((2024, 9), (2025, 7)),
              illustrative=["investment_total_yuan", "investment_plan_yuan", "production_lines", "completion"],
              source=seed("004", "Qianwan New Area, construction began May 2023 (this year in the article)")),
        named(ind, "Hanke Medical Device Production Base and R&D Center", "qianwan",
              (2023, 1), (2025, 6), 12 * YI, cluster="modern_health",
              lines=lines_of((2024, 10)),
              illustrative=["investment_total_yuan", "investment_plan_yuan", "production_lines", "completion"],
              source=seed("004", "Qianwan New Area, launched January 2023 (this year in the article), "
                                 "insulin pump consumables and dental root canal systems")),
        named(ind, "Shanshan 40,000 t/yr lithium-ion battery silicon-based anode material integration base",
              "yinzhou", (2022, 9), (2025, 12), 50 * YI, cluster="new_functional_materials",
              lines=lines_of((2024, 6), (2025, 9)),
              illustrative=["investment_plan_yuan", "construction_start", "production_lines", "completion"],
              source=seed("004", "Yinzhou, total investment about 5 billion yuan")),
    ]

    # -- Modern industry: the 17 docking-meeting projects (seed 001) ----------
    # (name, district, cluster, total in 100 million yuan, start, months, lines)
    docking = [
        ("AIoT enterprise intelligent IoT robot project", "yuyao", "high_end_equipment", 9,
         (2023, 10), 30, 2),
        ("Shouyi Fengguang new energy technology project", "zhenhai", "green_energy", 15,
         (2023, 9), 33, 2),
        ("Central enterprise new energy storage project (illustrative)", "qianwan", "green_energy", 12,
         (2024, 3), 30, 2),
        ("Hydrogen energy equipment project (illustrative)", "beilun", "green_energy", 10,
         (2024, 5), 36, 1),
        ("Advanced new materials project (illustrative)", "zhenhai", "new_functional_materials", 14,
         (2023, 12), 36, 3),
        ("Electronic materials project (illustrative)", "high_tech_zone", "new_functional_materials", 8,
         (2024, 2), 24, 2),
        ("Composite materials project (illustrative)", "ninghai", "new_functional_materials", 6,
         (2024, 6), 24, 1),
        ("Marine engineering equipment project (illustrative)", "beilun", "high_end_equipment", 11,
         (2024, 1), 36, 2),
        ("Marine equipment supporting components project (illustrative)", "xiangshan",
         "key_basic_components", 7, (2024, 8), 30, 1),
        ("Industrial Internet platform project (illustrative)", "high_tech_zone", "digital_industry", 9,
         (2023, 11), 24, 0),
        ("Integrated circuit design and packaging project (illustrative)", "yinzhou", "digital_industry", 6,
         (2024, 4), 30, 2),
        ("Data centre and cloud computing project (illustrative)", "jiangbei", "digital_industry", 5,
         (2024, 7), 24, 0),
        ("Industrial robot manufacturing project (illustrative)", "cixi", "high_end_equipment", 7,
         (2024, 3), 27, 2),
        ("Biomedicine innovative drug project (illustrative)", "qianwan", "modern_health", 10,
         (2024, 1), 36, 1),
        ("High-end medical device project (illustrative)", "yinzhou", "modern_health", 6,
         (2024, 9), 24, 1),
        ("Smart transportation equipment project (illustrative)", "fenghua", "high_end_equipment", 13,
         (2024, 2), 36, 2),
        ("Intelligent connected vehicle and smart transportation project (illustrative)", "high_tech_zone",
         "emerging_future_industries", 12, (2025, 3), 30, 0),
    ]
    assert len(docking) == 17 and sum(d[3] for d in docking) == 160  # 16 billion yuan
    docking_source = seed("001", "one of 17 projects of the Investment in Ningbo docking meeting for "
                                 "central and famous enterprises, Beijing 2023, 16 billion yuan in total "
                                 "incl. 1.06 billion US dollars foreign investment")
    for i, (name, district, cluster, total, start, months, n_lines) in enumerate(docking):
        completion = add_months(start, months)
        launches = [add_months(start, months * (k + 2) // (n_lines + 2)) for k in range(n_lines)]
        if i < 2:  # named in the article, with their district
            illustrative = ["cluster", "investment_total_yuan", "investment_plan_yuan", "construction_start",
                            "completion"] + (["production_lines"] if n_lines else [])
        else:
            illustrative = "all"
        result[ind].append(named(ind, name, district, start, completion, total * YI, cluster=cluster,
                                 lines=lines_of(*launches), illustrative=illustrative,
                                 source=docking_source))

    # -- Modern industry: regional centres of special-process industries (seed 002)
    for name, district, cluster, total, start, months in [
        ("Printing and dyeing regional centre and park relocation (illustrative)", "yinzhou",
         "fashion_textiles_clothing", 18, (2022, 4), 36),
        ("Surface treatment (electroplating, spraying) regional centre (illustrative)", "beilun",
         "key_basic_components", 12, (2022, 7), 30),
        ("Foundry regional centre upgrading (illustrative)", "fenghua", "high_end_equipment", 10,
         (2022, 10), 30),
    ]:
        result[ind].append(named(ind, name, district, start, add_months(start, months), total * YI,
                                 cluster=cluster,
                                 source=seed("002", "regional centres of foundry, printing and dyeing "
                                                    "and surface treatment")))

    # -- Transportation (seed 003) ---------------------------------------------
    trn_source = seed("003", "six-way connectivity, three rings and eight shots")
    for name, district, total, start, months in [
        ("Urban rail transit line construction, phase 3 plan, line A (illustrative)", "citywide", 420,
         (2021, 3), 60),
        ("Urban rail transit line construction, phase 3 plan, line B (illustrative)", "citywide", 360,
         (2021, 9), 60),
        ("Urban rail transit line construction, phase 3 plan, line C (illustrative)", "citywide", 300,
         (2022, 6), 54),
        ("Six-way connectivity: Ningbo-Shanghai 1-hour traffic circle rail corridor (illustrative)",
         "citywide", 380, (2022, 3), 60),
        ("Three rings: ring expressway upgrading (illustrative)", "citywide", 220, (2021, 6), 48),
        ("Eight shots: radial expressway corridor toward the Yangtze River Delta (illustrative)",
         "citywide", 180, (2022, 1), 48),
        ("Comprehensive transport hub for the 2-hour Yangtze River Delta circle (illustrative)",
         "jiangbei", 90, (2023, 4), 42),
    ]:
        result[trn].append(named(trn, name, district, start, add_months(start, months), total * YI,
                                 source=trn_source))

    # -- Ecological and environmental protection (seed 003) --------------------
    for name, district, total, start, months in [
        ("Flood, waterlogging and tide defence: main river embankment upgrading (illustrative)",
         "citywide", 120, (2021, 4), 54),
        ("Flood, waterlogging and tide defence: urban drainage and pumping stations (illustrative)",
         "citywide", 80, (2021, 10), 48),
        ("Flood, waterlogging and tide defence: seawall reinforcement (illustrative)", "xiangshan", 60,
         (2022, 3), 42),
        ("Urban and rural water supply: multi-source complementarity, dual-network integration "
         "(illustrative)", "citywide", 90, (2021, 7), 54),
        ("Renewable energy toward 6 GW installed capacity: offshore wind power (illustrative)",
         "xiangshan", 110, (2022, 5), 42),
        ("Renewable energy toward 6 GW installed capacity: distributed photovoltaics (illustrative)",
         "citywide", 45, (2021, 6), 48),
        ("Waste-free city: solid waste resource utilization centre (illustrative)", "beilun", 30,
         (2022, 8), 30),
    ]:
        result[eco].append(named(eco, name, district, start, add_months(start, months), total * YI,
                                 source=seed("003", "water security, renewable energy and waste-free city "
                                                    "goals")))

    # -- Social and people's livelihood (seed 003) -----------------------------
    for name, district, total, start, months in [
        ("Urban organic renewal: old residential community renovation (illustrative)", "haishu", 80,
         (2021, 5), 54),
        ("Urban organic renewal: historic district regeneration (illustrative)", "jiangbei", 50,
         (2021, 11), 48),
        ("High-quality public service facilities for common prosperity (illustrative)", "yinzhou", 60,
         (2022, 2), 42),
        ("Regional medical centre (illustrative)", "zhenhai", 40, (2022, 9), 40),
    ]:
        result[soc].append(named(soc, name, district, start, add_months(start, months), total * YI,
                                 source=seed("003", "organic renewal of cities and public services")))
    return result


def pick_start(rng):
    year = rng.weighted(START_YEAR_WEIGHTS)
    last_month = LATEST_START[1] if year == LATEST_START[0] else 12
    return (year, rng.between(1, last_month))


def size_weight(rng, relative):
    """Heavy-tailed relative size: (0.5..1) / sqrt(u), u in [0.01, 1)."""
    u = 0.01 + 0.99 * rng.uniform()
    return relative * (0.5 + 0.5 * rng.uniform()) / math.sqrt(u)


def continuing_start(cont):
    """The start of a continuing project: 3 to 30 months before the period."""
    return from_index(month_index(PERIOD_START) - cont.between(3, 30))


def generate_area(rng, area, count):
    projects = []
    cont = Lcg(CONTINUING_SEED ^ sum(ord(c) << (i % 8) for i, c in enumerate(area)))
    for _ in range(count):
        continuing = cont.uniform() < CONTINUING_SHARE
        if area == "modern_industry":
            cluster = rng.weighted([(c[0], c[4]) for c in CLUSTERS])
            relative = next(c[5] for c in CLUSTERS if c[0] == cluster)
            if cluster == "green_petrochemical":
                weights = PETROCHEMICAL_DISTRICTS
            else:
                hot = CLUSTER_DISTRICTS[cluster]
                weights = {d: w * (3 if d in hot else 1) for d, w in DISTRICT_WEIGHTS[area].items()}
            district = rng.weighted(sorted(weights.items(), key=lambda kv: kv[0]))
            theme = CLUSTER_LABEL[cluster]
            start = pick_start(rng)
            duration = rng.between(12, 36) if rng.uniform() < 0.85 else rng.between(37, 60)
            completion = add_months(start, duration)
            if continuing:
                start = continuing_start(cont)
            lines = []
            if rng.uniform() < SHARE_WITH_LINES:
                n = rng.weighted([(1, 35), (2, 35), (3, 20), (4, 10)])
                # Lines of a continuing project launch within the period.
                first = max(month_index(start) + 10, month_index(PERIOD_START) + 1)
                last = month_index(completion)
                launches = sorted(rng.between(first, last) for _ in range(n))
                lines = lines_of(*(from_index(i) for i in launches))
        else:
            label, _, relative, dmin, dmax = THEMES[area][rng.weighted(
                [(i, t[1]) for i, t in enumerate(THEMES[area])])]
            cluster = None
            if area == "sci_tech_innovation" and rng.uniform() < 0.3:
                cluster = rng.weighted([(c[0], c[4]) for c in CLUSTERS if c[0] != "green_petrochemical"])
                label = CLUSTER_LABEL[cluster] + " innovation platform"
            district = rng.weighted(sorted(DISTRICT_WEIGHTS[area].items(), key=lambda kv: kv[0]))
            theme = label
            start = pick_start(rng)
            completion = add_months(start, rng.between(dmin, dmax))
            if continuing:
                start = continuing_start(cont)
            lines = []
        p = Project(area, None, district, start, completion, cluster=cluster, lines=lines,
                    weight=size_weight(rng, relative))
        p.theme = theme
        if continuing:
            p.continuing = ((start[0], start[1], cont.between(1, 28)), 0)
        projects.append(p)
    return projects


def build():
    rng = Lcg(GLOBAL_SEED)
    named_by_area = named_projects()
    all_projects = []
    generated = []
    for area, _, short in AREAS:
        named_list = named_by_area[area]
        gen = generate_area(rng, area, AREA_COUNT[area] - len(named_list))
        # Scale the generated projects so that the area reaches its target.
        remaining = AREA_INVESTMENT[area] - sum(in_period(p.plan) for p in named_list)
        assert remaining > 0, area
        shares = []
        for p in gen:
            months = month_index(p.completion) - month_index(p.start) + 1
            inside = (min(month_index(p.completion), month_index(PERIOD_END))
                      - max(month_index(p.start), month_index(PERIOD_START)) + 1)
            shares.append(p.weight * inside / months)
        scale = remaining / sum(shares)
        for p in gen:
            p.total = max(1, int(p.weight * scale / UNIT + 0.5)) * UNIT
            p.plan = spread_over_years(p.total, p.start, p.completion)
            if p.continuing:
                # The yearly plan before the period is what it had done by then.
                before = sum(v for y, v in p.plan.items() if y < FIRST_YEAR)
                p.plan = {y: v for y, v in p.plan.items() if y >= FIRST_YEAR}
                p.continuing = (p.continuing[0], before)
        for number, p in enumerate(named_list + gen, start=1):
            p.code = "NB14-%s-%04d" % (short, number)
            if p.name is None:
                p.name = "%s %s project %03d (illustrative)" % (DISTRICT_LABEL[p.district], p.theme, number)
        all_projects += named_list + gen
        generated += gen

    # Put the rounding remainder on the generated project with the largest
    # in-period plan, in its largest in-period year.
    diff = DECLARED_INVESTMENT_YUAN - sum(in_period(p.plan) for p in all_projects)
    target = max(generated, key=lambda p: (in_period(p.plan), p.code))
    year = max((y for y in target.plan if FIRST_YEAR <= y <= LAST_YEAR), key=lambda y: (target.plan[y], -y))
    target.plan[year] += diff
    target.total += diff
    assert target.plan[year] > 0 and diff % UNIT == 0
    return all_projects, (target.code, year, diff)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def quote(text):
    assert "\n" not in text and ";" not in text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


PROJECT_KEYS = ["code", "name", "area", "cluster", "district", "investment_total_yuan", "investment_plan_yuan",
                "construction_start", "production_lines", "completion", "continuing", "illustrative", "source"]


def render(projects):
    out = []
    w = out.append
    w("# Ningbo 14th Five-Year Plan (2021-2025) major construction projects: the default plan of pipelined.")
    w("# GENERATED by config/tools/generate_ningbo_plan.py - do not edit by hand, change the script and rerun it.")
    w("#")
    w("# Sources (Ningbo Life / Ningbo Expat, 2024):")
    for key in sorted(SEEDS):
        w("#   [%s] %s" % (key, SEEDS[key]))
    w("# Published: 753 projects and RMB 1.73 trillion planned investment for 2021-2025 in five areas [003],")
    w("# the \"361\" industrial clusters [004], the named enterprise projects [004], the 17 docking-meeting")
    w("# projects worth 16 billion yuan [001], the Yongjiang innovation zone, laboratory and university [001],")
    w("# the special-process regional centres [002].")
    w("#")
    w("# ILLUSTRATIVE DATA: every value of a project marked `illustrative: all`, and every key listed in a")
    w("# project's `illustrative: [...]`, is generated or assumed, NOT published. The split of projects and")
    w("# investment over areas, districts and years, and all but the named projects, are generated. Only the")
    w("# plan totals (declared_projects, declared_investment_yuan) and the values not marked are from the sources.")
    w("# Amounts are yuan, rounded to 10,000 yuan. Months are YYYY-MM.")
    w("plan:")
    w("  code: %s" % PLAN_CODE)
    w("  name: %s" % quote(PLAN_NAME))
    w("  period: {start: %s, end: %s}" % (fmt_month(PERIOD_START), fmt_month(PERIOD_END)))
    w("  declared_projects: %d" % DECLARED_PROJECTS)
    w("  declared_investment_yuan: %d" % DECLARED_INVESTMENT_YUAN)
    w("areas:")
    for code, name, _ in AREAS:
        w("  - {code: %s, name: %s}" % (code, quote(name)))
    w("# output_target_yuan: the \"361\" cluster plan's revenue path (2023-2027). Only the 2027 total of")
    w("# 3.7 trillion yuan is published [000]; the split over clusters and the yearly path are ILLUSTRATIVE.")
    w("clusters:")
    for c in CLUSTERS:
        targets = cluster_targets(c[2])
        w("  - {code: %s, name: %s, level: %s," % (c[0], quote(c[1]), c[2]))
        w("     output_target_yuan: {%s}}" % ", ".join("%d: %d" % (y, targets[y]) for y in sorted(targets)))
    w("districts:")
    for code, name, _ in DISTRICTS:
        w("  - {code: %s, name: %s}" % (code, quote(name)))
    w("# ILLUSTRATIVE baseline for year-over-year growth in 2021: 90% of the 2021 plan over the months of 2020.")
    baseline = monthly_baseline(projects)
    w("investment_baselines:")
    w("  - group_type: plan")
    w("    group: %s" % PLAN_CODE)
    w("    months: {%s}" % ", ".join("2020-%02d: %d" % (m, baseline) for m in range(1, 13)))
    w("projects:")
    for p in projects:
        w("  - code: %s" % p.code)
        w("    name: %s" % quote(p.name))
        w("    area: %s" % p.area)
        if p.cluster:
            w("    cluster: %s" % p.cluster)
        w("    district: %s" % p.district)
        w("    investment_total_yuan: %d" % p.total)
        w("    investment_plan_yuan: {%s}" % ", ".join("%d: %d" % (y, p.plan[y]) for y in sorted(p.plan)))
        w("    construction_start: %s" % fmt_month(p.start))
        if p.lines:
            w("    production_lines:")
            for line_id, launch in p.lines:
                w("      - {id: %s, launch: %s}" % (line_id, fmt_month(launch)))
        w("    completion: %s" % fmt_month(p.completion))
        if p.continuing:
            started, before = p.continuing
            w("    continuing: {started_on: %04d-%02d-%02d, investment_before_period_yuan: %d}" % (started + (before,)))
        if p.illustrative == "all":
            w("    illustrative: all")
        else:
            keys = [k for k in PROJECT_KEYS if k in p.illustrative]
            assert len(keys) == len(p.illustrative), p.illustrative
            w("    illustrative: [%s]" % ", ".join(keys))
        if p.source:
            w("    source: %s" % quote(p.source))
    return "\n".join(out) + "\n"


def monthly_baseline(projects):
    plan_2021 = sum(p.plan.get(2021, 0) for p in projects)
    return int(round(plan_2021 * BASELINE_SHARE_OF_2021 / 12 / UNIT)) * UNIT


def check(projects):
    """Invariants the C++ loader enforces, plus the plan's published totals."""
    assert sum(cluster_targets(c[2])[2027] for c in CLUSTERS) == CLUSTER_PLAN_TOTAL_2027
    assert len(projects) == DECLARED_PROJECTS
    assert sum(in_period(p.plan) for p in projects) == DECLARED_INVESTMENT_YUAN
    codes = [p.code for p in projects]
    assert len(set(codes)) == len(codes)
    lo, hi = month_index(PERIOD_START), month_index(PERIOD_END)
    for p in projects:
        assert len(p.code) <= 32
        before = p.continuing[1] if p.continuing else 0
        assert p.total > 0 and p.total >= sum(p.plan.values()) + before and p.plan
        assert all(v > 0 and v % UNIT == 0 and y >= FIRST_YEAR for y, v in p.plan.items())
        s, c = month_index(p.start), month_index(p.completion)
        if p.continuing:
            assert s < lo and c > lo and min(p.plan) == FIRST_YEAR, p.code
            assert all(month_index(launch) > lo for _, launch in p.lines), p.code
        else:
            assert lo <= s <= hi and c > s, p.code
            assert min(p.plan) == p.start[0], p.code
        assert max(p.plan) <= p.completion[0], p.code
        if p.area == "modern_industry":
            assert p.cluster, p.code
        ids = [i for i, _ in p.lines]
        assert len(set(ids)) == len(ids)
        assert all(s < month_index(launch) <= c for _, launch in p.lines), p.code


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    path = argv[1] if len(argv) > 1 else os.path.join(here, "..", "plans", "ningbo-14th-fyp.yaml")
    projects, (fixed_code, fixed_year, diff) = build()
    check(projects)
    text = render(projects)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %s: %d projects, %d bytes (rounding remainder %+d yuan put on %s, %d)"
          % (os.path.normpath(path), len(projects), len(text.encode("utf-8")), diff, fixed_code, fixed_year))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
