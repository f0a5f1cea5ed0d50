"""Generated data for the data-centre benchmark, loaded straight into the bench database.

Rows are made by a seeded generator and streamed with COPY by parallel worker processes, in the
shape the service itself writes: valid credit codes (services.kit.codes), township-level region
codes of Pingliang's seven counties and sector codes from the dictionaries, the search column
built by services.datacenter.registry.store.search_document (so full-text search finds them),
hazards whose status, dates, 五落实 plan and verification hang together.

It is a bulk load, not the service's write path: no change history, no outbox events, no audit
entries. For speed the COPY sessions run with session_replication_role = replica (foreign-key and
counting triggers off) into tables whose secondary indexes are dropped first and rebuilt after;
the registry.stat counters of both kinds are then rebuilt with one GROUP BY using the triggers'
own expressions (as migration 0009 does), a foreign-key check is run by a join, and the tables are
VACUUM ANALYZEd. Everything written afterwards (the import benchmark) goes through the service,
with its triggers, and is removed again so the next run sees the same data."""
from __future__ import annotations

import json
import multiprocessing as mp
import random
import time
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import psycopg

from services.datacenter.enterprises.kind import KIND as ENTERPRISE
from services.datacenter.hazards.kind import KIND as HAZARD
from services.datacenter.registry import store
from services.kit import codes

CST = timezone(timedelta(hours=8))
ACTOR = "bench:bulk-load"
CHUNK = 100_000
COUNTIES = {"620802": ("崆峒区", 106.665, 35.543), "620821": ("泾川县", 107.367, 35.332), "620822": ("灵台县", 107.621, 35.065),
            "620823": ("崇信县", 107.036, 35.301), "620825": ("庄浪县", 106.037, 35.202), "620826": ("静宁县", 105.733, 35.522),
            "620881": ("华亭市", 106.653, 35.218)}

# sector -> (weight %, GB/T 4754 divisions, words that go into the names)
SECTORS = {
    "commerce_trade": (22, ("F51", "F52", "H61", "H62"), ("商贸", "商行", "超市", "贸易", "百货")),
    "construction": (10, ("E47", "E48", "E49", "E50"), ("建筑", "建设", "工程", "建筑安装")),
    "light_industry": (10, ("C13", "C14", "C15", "C22", "C24"), ("食品", "饮品", "纸业", "包装", "农产品加工")),
    "transport": (8, ("G54", "G58", "G59"), ("运输", "物流", "客运", "仓储")),
    "building_materials": (8, ("C30",), ("建材", "水泥", "新型建材", "砖瓦", "商砼", "石材")),
    "machinery": (8, ("C33", "C34", "C35", "C36"), ("机械", "机械制造", "农机", "汽修", "铸造")),
    "hazardous_chemicals": (4, ("C26", "F51", "C25"), ("化工", "油品", "燃气", "化学品")),
    "non_coal_mine": (3, ("B10", "B09", "B08"), ("矿业", "砂石", "采石")),
    "textile": (2, ("C17", "C18"), ("纺织", "服饰", "棉业")),
    "metallurgy": (2, ("C31", "C32"), ("冶金", "钢铁", "金属制品")),
    "coal": (1, ("B06",), ("煤业", "煤矿", "洗煤")),
    "nonferrous": (1, ("C32", "B09"), ("有色金属", "铝业")),
    "fireworks": (1, ("C26", "F52"), ("烟花爆竹",)),
    "tobacco": (1, ("C16", "F52"), ("烟草",)),
    "other": (19, ("O80", "N77", "L72", "M74", "A01"), ("服务", "科技", "农业", "综合")),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华文斌志强海燕红梅玉兰凤英卫东永红振华小龙晓东春燕亚楠宏伟"
BRAND = "金鑫华泰隆盛兴达恒通宏远永顺德源丰瑞祥安康博众鼎力新天正中陇原崆峒泾河龙腾鑫源西部陇东汇通嘉禾"
ROADS = ("人民路", "建设路", "解放路", "西大街", "东大街", "南环路", "北环路", "新民路", "工业园区", "崆峒大道", "东关街", "西关路", "开发区")
SUFFIX = (("有限公司", 60), ("有限责任公司", 15), ("股份有限公司", 3), ("商行", 7), ("经营部", 8), ("厂", 7))

# Hazard descriptions: "<where><what><defect>", searchable (place, description).
PLACES = ("一号车间", "二号车间", "原料库房", "成品仓库", "罐区", "配电室", "锅炉房", "办公楼", "职工宿舍", "食堂", "装卸区", "危化品库",
          "生产线", "空压机房", "厂区道路", "维修车间", "料场", "井口", "采场", "加油区", "储气站", "营业厅", "消防泵房", "变电所",
          "地下车库", "施工现场", "脚手架", "塔吊作业区", "烘干车间", "喷涂车间")
OBJECTS = ("储罐", "配电箱", "灭火器", "消防栓", "安全通道", "疏散指示标志", "应急照明", "防护栏", "安全帽", "电缆线路", "压力表", "安全阀",
           "可燃气体报警器", "静电接地装置", "防爆电器", "起重机钢丝绳", "砂轮机防护罩", "皮带输送机", "叉车", "气瓶", "通风设施", "避雷设施",
           "防火门", "消防水池", "警示标识", "操作规程", "特种作业人员证书", "安全培训记录", "应急预案", "隐患排查台账",
           "防尘设施", "除尘系统", "液位计", "紧急切断阀", "围堰", "监控系统", "吊篮", "临时用电", "防护网", "反光背心")
DEFECTS = ("损坏未及时修复", "缺失", "过期未检验", "被杂物堵塞", "设置不规范", "未按规定配置", "锈蚀严重", "接线混乱", "未定期检测", "失效",
           "数量不足", "未张贴", "未建立", "内容不完整", "未落实", "存在跑冒滴漏", "私拉乱接", "未设置防护", "安装位置不当", "压力不足")
DEFECT_MAJOR = ("严重超期未检，存在重大事故风险", "失效且无替代措施", "与作业场所未有效隔离", "超能力、超强度组织生产")

LEVEL_MAJOR_SHARE = 0.02
DELETED_SHARE = 0.003
YEARS = 3


def _weighted(pairs) -> list:
    """An expanded lookup table: table[int(random() * len)] draws by weight."""
    out = []
    for value, weight in pairs:
        out += [value] * int(weight * 10)
    return out


SECTOR_TABLE = _weighted((s, w) for s, (w, _, _) in SECTORS.items())
SUFFIX_TABLE = _weighted(SUFFIX)
SCALE_TABLE = _weighted((("micro", 50), ("small", 35), ("medium", 12), ("large", 3)))
RISK_TABLE = _weighted((("blue", 55), ("yellow", 25), ("orange", 8), ("red", 2), (None, 10)))
GRADE_TABLE = _weighted((("3", 30), ("2", 10), ("1", 2), (None, 58)))
ESTATUS_TABLE = _weighted((("operating", 85), ("suspended", 7), ("under_construction", 3), ("closed", 5)))
SOURCE_TABLE = _weighted((("self_inspection", 60), ("agency_inspection", 30), ("public_report", 5), ("employee_report", 5)))
CATEGORY_TABLE = [c for c, _ in HAZARD.by_name["category"].options]


def pick(rng: random.Random, table: list):
    return table[int(rng.random() * len(table))]


def line(row: tuple) -> str:
    """A row in COPY text format. Every generated value comes from the pools above, digits, dates
    or json.dumps of those: none holds a backslash, tab or line break, so nothing needs escaping."""
    return "\t".join([r"\N" if v is None else v if v.__class__ is str else str(v) for v in row])


def ts(dt: datetime) -> str:
    return dt.isoformat(sep=" ", timespec="seconds")


# --- enterprises -----------------------------------------------------------------------------------
_ORG_SPACE = 31 ** 9
_ORG_MULTIPLIER = 2_654_435_761  # coprime with 31, so i -> i * m mod 31^9 is a bijection: unique codes that look random


def uscc(index: int, county: str) -> str:
    n = (index * _ORG_MULTIPLIER + 7_919) % _ORG_SPACE
    org = []
    for _ in range(9):
        n, d = divmod(n, 31)
        org.append(codes.USCC_ALPHABET[d])
    first17 = "91" + county + "".join(org)
    return first17 + codes.uscc_check_char(first17)


def person(rng: random.Random) -> str:
    given = GIVEN[int(rng.random() * len(GIVEN))] + ("" if rng.random() < 0.3 else GIVEN[int(rng.random() * len(GIVEN))])
    return SURNAMES[int(rng.random() * len(SURNAMES))] + given


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


ENTERPRISE_COLUMNS = ("uscc", "name", "legal_representative", "region_code", "address", "lon", "lat", "industry_code", "sector",
                      "scale", "employees", "safety_manager", "safety_manager_phone", "contact_phone", "risk_colour",
                      "standardization_grade", "status", "search", "version", "created_at", "created_by", "updated_at", "updated_by")


def enterprise_lines(start: int, end: int, *, seed: int, townships: list[tuple[str, str]], now: datetime) -> list[str]:
    return [line(row) for row in enterprise_rows(start, end, seed=seed, townships=townships, now=now)]


IMPORT_ENTERPRISE_COLUMNS = ENTERPRISE_COLUMNS[:ENTERPRISE_COLUMNS.index("search")]  # what a person's file has


def enterprise_import_csv(start: int, end: int, *, seed: int, townships: list[tuple[str, str]], now: datetime) -> bytes:
    """A valid enterprises CSV of the generated enterprises start..end (header = field names)."""
    import csv
    import io
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(IMPORT_ENTERPRISE_COLUMNS)
    n = len(IMPORT_ENTERPRISE_COLUMNS)
    w.writerows(["" if v is None else v for v in row[:n]] for row in enterprise_rows(start, end, seed=seed, townships=townships, now=now))
    return buf.getvalue().encode()


def enterprise_rows(start: int, end: int, *, seed: int, townships: list[tuple[str, str]], now: datetime):
    """Enterprises start..end as tuples of ENTERPRISE_COLUMNS (each index always the same enterprise)."""
    rng = random.Random(seed * 1_000_003 + start)
    span = YEARS * 2 * 365 * 86400  # enterprises registered over six years
    origin = now - timedelta(seconds=span)
    for i in range(start, end):
        town_code, town_name = townships[int(rng.random() * len(townships))]
        county = town_code[:6]
        county_name, lon0, lat0 = COUNTIES[county]
        sector = pick(rng, SECTOR_TABLE)
        _, divisions, words = SECTORS[sector]
        brand = BRAND[int(rng.random() * len(BRAND))] + BRAND[int(rng.random() * len(BRAND))]
        name = f"平凉{'' if rng.random() < 0.5 else county_name}{brand}{rng.choice(words)}{pick(rng, SUFFIX_TABLE)}"
        address = f"甘肃省平凉市{county_name}{town_name}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        code = uscc(i, county)
        scale = pick(rng, SCALE_TABLE)
        employees = {"micro": (1, 19), "small": (20, 99), "medium": (100, 299), "large": (300, 3000)}[scale]
        created = origin + timedelta(seconds=span * rng.random())
        rec = {"uscc": code, "name": name, "address": address}
        row = (code, name, person(rng), town_code, address, f"{lon0 + rng.uniform(-0.15, 0.15):.6f}",
               f"{lat0 + rng.uniform(-0.12, 0.12):.6f}", rng.choice(divisions), sector, scale, rng.randint(*employees),
               person(rng), mobile(rng), mobile(rng) if rng.random() < 0.8 else None, pick(rng, RISK_TABLE),
               pick(rng, GRADE_TABLE), pick(rng, ESTATUS_TABLE), store.search_document(ENTERPRISE, rec), 1,
               ts(created), ACTOR, ts(created), ACTOR)
        yield row


# --- hazards ----------------------------------------------------------------------------------------
HAZARD_COLUMNS = ("id", "region_code", "uscc", "enterprise_name", "source", "unannounced", "found_at", "place", "category",
                  "description", "level", "measures", "responsible_person", "funds_cny", "deadline", "status", "plan",
                  "verification", "supervision", "closed_at", "search", "version", "created_at", "created_by", "updated_at",
                  "updated_by", "deleted_at", "deleted_by")


@lru_cache(maxsize=None)
def hazard_document(place: str, description: str) -> str:
    return store.search_document(HAZARD, {"place": place, "description": description})


def _status(rng: random.Random, age_days: float) -> str:
    """Old hazards are mostly closed; this month's mostly still open."""
    r = rng.random()
    if age_days > 120:
        return "closed" if r < 0.93 else "rectifying" if r < 0.98 else "awaiting_verification"
    if age_days > 30:
        return "closed" if r < 0.6 else "rectifying" if r < 0.85 else "awaiting_verification" if r < 0.95 else "registered"
    return "registered" if r < 0.45 else "rectifying" if r < 0.8 else "awaiting_verification" if r < 0.92 else "closed"


def hazard_lines(start: int, end: int, total: int, *, seed: int, enterprises: list[tuple[str, str, str]], now: datetime) -> list[str]:
    """Hazards `start`..`end` (ids start+1..end) of `total`, found in id order over the last YEARS years."""
    rng = random.Random(seed * 7_000_003 + start)
    span = YEARS * 365 * 86400
    origin = now - timedelta(seconds=span + 86400)
    out = []
    n_ent = len(enterprises)
    for i in range(start, end):
        hid = i + 1
        code, ent_name, region = enterprises[int(rng.random() * n_ent)]
        found = origin + timedelta(seconds=span * (i + rng.random()) / total - rng.random() * 2 * 86400)
        age = (now - found).total_seconds() / 86400
        source = pick(rng, SOURCE_TABLE)
        major = rng.random() < LEVEL_MAJOR_SHARE
        place = PLACES[int(rng.random() * len(PLACES))]
        description = (place + OBJECTS[int(rng.random() * len(OBJECTS))] +
                       (DEFECT_MAJOR[int(rng.random() * len(DEFECT_MAJOR))] if major else DEFECTS[int(rng.random() * len(DEFECTS))]))
        status = _status(rng, age)
        measures = person_name = funds = deadline = plan = verification = supervision = closed_at = None
        version = {"registered": 1, "rectifying": 2, "awaiting_verification": 3, "closed": 4}[status]
        updated = found + timedelta(hours=rng.uniform(0.5, 48))
        if status != "registered":
            measures = "立即组织整改，" + ("更换" if rng.random() < 0.5 else "维修") + "相关设施并加强日常巡查"
            person_name = person(rng)
            deadline = (found + timedelta(days=rng.randint(3, 60 if not major else 120))).date()
            funds = f"{rng.randint(1, 2000) * 100 if not major else rng.randint(100, 5000) * 1000}"
            if major:
                plan = json.dumps({"target": "彻底消除重大事故隐患", "measures": measures, "funds": f"{funds}元",
                                   "materials": "已落实", "responsible": f"{ent_name}安全管理部，{person_name}",
                                   "deadline": deadline.isoformat(), "safety_emergency_measures": "设置警戒区域，制定专项应急预案"},
                                  ensure_ascii=False)
                if rng.random() < 0.3:
                    supervision = json.dumps({"level": rng.choice(("city", "county")),
                                              "document_number": f"平应急发〔{found.year}〕{rng.randint(1, 300)}号",
                                              "listed_on": (found + timedelta(days=2)).date().isoformat(),
                                              "deadline": deadline.isoformat()}, ensure_ascii=False)
            updated = min(now, found + timedelta(days=rng.uniform(1, 20)))
        if status == "closed":
            verified = min(now, found + timedelta(days=rng.uniform(2, 70)))
            verification = json.dumps({"verified_by": person(rng), "verified_at": verified.isoformat(timespec="seconds"),
                                       "result": "passed", "opinion": "整改到位，同意销号"}, ensure_ascii=False)
            closed_at = ts(verified)
            updated = verified
        created = min(now, found + timedelta(hours=rng.uniform(0, 72)))
        updated = max(updated, created)
        deleted = rng.random() < DELETED_SHARE
        row = (hid, region, code, ent_name, source, ("t" if rng.random() < 0.3 else "f") if source == "agency_inspection" else None,
               ts(found), place, pick(rng, CATEGORY_TABLE), description, "major" if major else "general", measures, person_name,
               funds, deadline.isoformat() if deadline else None, status, plan, verification, supervision, closed_at,
               hazard_document(place, description), version + (1 if deleted else 0), ts(created), ACTOR, ts(updated), ACTOR,
               ts(updated) if deleted else None, ACTOR if deleted else None)
        out.append(line(row))
    return out


# --- loading -----------------------------------------------------------------------------------------
_WORKER: dict = {}


def _worker_init(dsn: str, seed: int, now: datetime, townships, need_enterprises: bool) -> None:
    conn = psycopg.connect(dsn)
    conn.execute("SET session_replication_role = replica")  # no FK or counting triggers: see the module docstring
    conn.execute("SET synchronous_commit = off")
    conn.commit()
    _WORKER.update(conn=conn, seed=seed, now=now, townships=townships, enterprises=None)
    if need_enterprises:
        with conn.cursor() as cur:
            _WORKER["enterprises"] = cur.execute("SELECT uscc, name, region_code FROM enterprises.enterprise ORDER BY uscc").fetchall()
        conn.commit()


def _copy(table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    conn = _WORKER["conn"]
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        buf = []
        for n, line in enumerate(lines, 1):
            buf.append(line)
            if n % 5000 == 0:
                cp.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            cp.write("\n".join(buf) + "\n")
    conn.commit()


def _enterprise_chunk(bounds: tuple[int, int]) -> int:
    lines = enterprise_lines(*bounds, seed=_WORKER["seed"], townships=_WORKER["townships"], now=_WORKER["now"])
    _copy("enterprises.enterprise", ENTERPRISE_COLUMNS, lines)
    return len(lines)


def _hazard_chunk(args: tuple[int, int, int]) -> int:
    start, end, total = args
    lines = hazard_lines(start, end, total, seed=_WORKER["seed"], enterprises=_WORKER["enterprises"], now=_WORKER["now"])
    _copy("hazards.hazard", HAZARD_COLUMNS, lines)
    return len(lines)


def _parallel(fn, tasks: list, *, dsn: str, seed: int, now: datetime, townships, need_enterprises: bool, workers: int,
              label: str, total: int) -> None:
    started, done = time.monotonic(), 0
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(dsn, seed, now, townships, need_enterprises)) as pool:
        for n in pool.imap_unordered(fn, tasks):
            done += n
            elapsed = time.monotonic() - started
            print(f"    {label}: {done:>10,} / {total:,} rows  ({done / elapsed:8,.0f} rows/s)", flush=True)


SECONDARY_INDEXES_SQL = """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname || '.' || c.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique"""
TABLES = ["enterprises.enterprise", "hazards.hazard"]


def _ensure_meta(conn: psycopg.Connection) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS bench")
    conn.execute("CREATE TABLE IF NOT EXISTS bench.dataset (id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), enterprises bigint NOT NULL, "
                 "hazards bigint NOT NULL, max_hazard_id bigint NOT NULL, seed int NOT NULL, loaded_at timestamptz NOT NULL, "
                 "seconds jsonb NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS bench.dropped_index (name text PRIMARY KEY, definition text NOT NULL)")


def restore_indexes(conn: psycopg.Connection) -> int:
    """Recreate the indexes a load dropped (also after an interrupted load), exactly as the migrations made them."""
    rows = conn.execute("SELECT name, definition FROM bench.dropped_index ORDER BY name").fetchall()
    for name, definition in rows:
        started = time.monotonic()
        conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        conn.execute("DELETE FROM bench.dropped_index WHERE name = %s", (name,))
        conn.commit()
        print(f"    index {name} rebuilt in {time.monotonic() - started:.1f}s", flush=True)
    return len(rows)


def dataset(conn: psycopg.Connection) -> dict | None:
    _ensure_meta(conn)
    conn.commit()
    row = conn.execute("SELECT enterprises, hazards, max_hazard_id, seed, loaded_at, seconds FROM bench.dataset").fetchone()
    return None if row is None else dict(zip(("enterprises", "hazards", "max_hazard_id", "seed", "loaded_at", "seconds"), row))


def remove_later_rows(conn: psycopg.Connection, meta: dict) -> int:
    """Rows written after the load (the import benchmarks), removed through the triggers so the counters follow."""
    n = conn.execute("DELETE FROM hazards.hazard WHERE id > %s", (meta["max_hazard_id"],)).rowcount
    n += conn.execute("DELETE FROM enterprises.enterprise WHERE created_by <> %s", (ACTOR,)).rowcount  # the enterprise imports
    conn.execute("DELETE FROM kit.outbox WHERE published_at IS NULL")  # bench events never leave (no Kafka): see datacenter_stack
    conn.commit()
    return n


def counts(conn: psycopg.Connection) -> tuple[int, int]:
    return (conn.execute("SELECT count(*) FROM enterprises.enterprise").fetchone()[0],
            conn.execute("SELECT count(*) FROM hazards.hazard").fetchone()[0])


def load(admin_dsn: str, *, enterprises: int, hazards: int, seed: int = 2026, workers: int = 2) -> dict:
    """Empty the two tables and load them; returns the phase timings in seconds."""
    seconds: dict[str, float] = {}
    now = datetime.now(CST).replace(microsecond=0)
    t0 = time.monotonic()
    with psycopg.connect(admin_dsn) as conn:
        _ensure_meta(conn)
        conn.execute("DELETE FROM bench.dataset")
        conn.commit()
        conn.execute("TRUNCATE hazards.hazard, enterprises.enterprise, registry.change, kit.outbox CASCADE")
        conn.commit()
        restore_indexes(conn)  # after an interrupted load: back first (on empty tables), so the list below is complete
        conn.execute("DELETE FROM registry.stat WHERE kind IN ('enterprise', 'hazard')")
        for name, definition in conn.execute(SECONDARY_INDEXES_SQL, (TABLES,)).fetchall():
            conn.execute("INSERT INTO bench.dropped_index VALUES (%s, %s) ON CONFLICT DO NOTHING", (name, definition))
            conn.execute(f"DROP INDEX {name}")
        conn.commit()
        towns = townships(conn)
    print(f"  loading {enterprises:,} enterprises over {len(towns)} townships of 7 counties "
          f"(COPY, {workers} workers, secondary indexes dropped)", flush=True)
    t = time.monotonic()
    tasks = [(s, min(s + CHUNK, enterprises)) for s in range(0, enterprises, CHUNK)]
    _parallel(_enterprise_chunk, tasks, dsn=admin_dsn, seed=seed, now=now, townships=towns, need_enterprises=False,
              workers=workers, label="enterprises", total=enterprises)
    seconds["enterprises_copy"] = time.monotonic() - t
    print(f"  loading {hazards:,} hazards", flush=True)
    t = time.monotonic()
    tasks = [(s, min(s + CHUNK, hazards), hazards) for s in range(0, hazards, CHUNK)]
    _parallel(_hazard_chunk, tasks, dsn=admin_dsn, seed=seed, now=now, townships=towns, need_enterprises=True,
              workers=workers, label="hazards", total=hazards)
    seconds["hazards_copy"] = time.monotonic() - t
    with psycopg.connect(admin_dsn) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        t = time.monotonic()
        print("  rebuilding indexes", flush=True)
        restore_indexes(conn)
        seconds["indexes"] = time.monotonic() - t
        t = time.monotonic()
        conn.execute("SELECT setval(pg_get_serial_sequence('hazards.hazard', 'id'), %s)", (max(hazards, 1),))
        # registry.stat exactly as the counting triggers keep it (migration 0007; arguments from 0009 and 0010).
        conn.execute("""INSERT INTO registry.stat (kind, region_code, category, month, n)
            SELECT 'enterprise', coalesce(region_code, ''), coalesce(sector::text, ''),
                   coalesce(date_trunc('month', (created_at AT TIME ZONE 'Asia/Shanghai'))::date, date '1970-01-01'), count(*)
              FROM enterprises.enterprise WHERE deleted_at IS NULL GROUP BY 2, 3, 4""")
        conn.execute("""INSERT INTO registry.stat (kind, region_code, category, month, n)
            SELECT 'hazard', coalesce(region_code, ''), coalesce(level::text, ''),
                   coalesce(date_trunc('month', (found_at AT TIME ZONE 'Asia/Shanghai'))::date, date '1970-01-01'), count(*)
              FROM hazards.hazard WHERE deleted_at IS NULL GROUP BY 2, 3, 4""")
        orphans = conn.execute("SELECT count(*) FROM hazards.hazard h WHERE NOT EXISTS "
                               "(SELECT 1 FROM enterprises.enterprise e WHERE e.uscc = h.uscc)").fetchone()[0]
        if orphans:
            raise SystemExit(f"bulk load produced {orphans} hazards without their enterprise")
        conn.commit()
        seconds["counters_and_checks"] = time.monotonic() - t
        t = time.monotonic()
        conn.autocommit = True
        print("  VACUUM ANALYZE", flush=True)
        for table in TABLES + ["registry.stat"]:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        seconds["vacuum_analyze"] = time.monotonic() - t
        seconds["total"] = time.monotonic() - t0
        conn.execute("INSERT INTO bench.dataset (enterprises, hazards, max_hazard_id, seed, loaded_at, seconds) "
                     "VALUES (%s, %s, %s, %s, now(), %s)",
                     (enterprises, hazards, hazards, seed, json.dumps({k: round(v, 1) for k, v in seconds.items()})))
    return seconds


def check_counters(conn: psycopg.Connection) -> dict[str, tuple[int, int]]:
    """(live rows, sum of counters) per kind: equal when registry.stat is right."""
    out = {}
    for kind, table in (("enterprise", "enterprises.enterprise"), ("hazard", "hazards.hazard")):
        live = conn.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
        counted = conn.execute("SELECT coalesce(sum(n), 0) FROM registry.stat WHERE kind = %s", (kind,)).fetchone()[0]
        out[kind] = (live, int(counted))
    return out


# --- the import file ----------------------------------------------------------------------------------
IMPORT_COLUMNS = ("uscc", "source", "found_at", "place", "category", "description", "level", "measures", "responsible_person",
                  "deadline", "status")


def import_csv(rows: int, enterprises: list[str], *, seed: int) -> bytes:
    """A valid hazards CSV (header = field names, which the importer accepts as well as the Chinese labels)."""
    import csv
    import io
    rng = random.Random(seed)
    today = datetime.now(CST).date()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(IMPORT_COLUMNS)
    for _ in range(rows):
        place = rng.choice(PLACES)
        found = datetime.combine(today - timedelta(days=rng.randint(1, 30)), datetime.min.time(), CST) + \
            timedelta(minutes=rng.randint(0, 1439))
        found = min(found, datetime.now(CST) - timedelta(hours=1))
        rectifying = rng.random() < 0.5
        major = not rectifying and rng.random() < 0.05
        w.writerow((rng.choice(enterprises), rng.choice(("self_inspection", "agency_inspection")), found.isoformat(timespec="seconds"),
                    place, rng.choice(CATEGORY_TABLE),
                    place + rng.choice(OBJECTS) + (rng.choice(DEFECT_MAJOR) if major else rng.choice(DEFECTS)),
                    "major" if major else "general",
                    "立即整改并加强巡查" if rectifying else "", person(rng) if rectifying else "",
                    (found.date() + timedelta(days=rng.randint(7, 30))).isoformat() if rectifying else "",
                    "rectifying" if rectifying else "registered"))
    return buf.getvalue().encode()


def sample_keys(conn: psycopg.Connection, n: int = 5000) -> tuple[list[int], list[str]]:
    """Random live hazard ids and enterprise codes, for the single-record reads."""
    ids = [r[0] for r in conn.execute("SELECT id FROM hazards.hazard TABLESAMPLE SYSTEM (1) WHERE deleted_at IS NULL "
                                      "ORDER BY random() LIMIT %s", (n,)).fetchall()]
    usccs = [r[0] for r in conn.execute("SELECT uscc FROM enterprises.enterprise TABLESAMPLE SYSTEM (2) WHERE deleted_at IS NULL "
                                        "ORDER BY random() LIMIT %s", (n,)).fetchall()]
    return ids, usccs


def townships(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT code, name FROM dictionaries.region WHERE level = 'township' AND code LIKE '6208%' "
                        "ORDER BY code").fetchall()
