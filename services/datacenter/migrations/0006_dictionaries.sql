-- Shared dictionaries the data centre serves besides regions: industries (GB/T 4754-2017), supervised
-- sectors, accident types (GB 6441-1986), hazardous substances (GB 18218-2018), expert fields and rescue
-- specialties. Sources and what is missing: docs/dictionaries.md. To change or add entries write a new
-- migration; never edit this file once applied (kit.migrations refuses a changed checksum).

-- --- 国民经济行业分类 GB/T 4754-2017 ----------------------------------------------------------------
-- Codes are written the way enterprise records carry them (enterprises.enterprise.industry_code):
-- section letter, then the standard's digits: 'C' 制造业, 'C26' 化学原料和化学制品制造业, 'C261' (group),
-- 'C2614' (class). Loaded here: all 20 sections and all 97 divisions (大类). Groups (中类) and classes
-- (小类) are not loaded yet; the table takes them (level 'group' / 'class') in a later migration.
CREATE TABLE dictionaries.industry (
    code         text PRIMARY KEY CHECK (code ~ '^[A-T](\d{2}(\d{1,2})?)?$'),
    name         text NOT NULL CHECK (name <> ''),
    parent_code  text REFERENCES dictionaries.industry (code),
    level        text NOT NULL CHECK (level IN ('section', 'division', 'group', 'class')),
    CHECK ((level, char_length(code)) IN (('section', 1), ('division', 3), ('group', 4), ('class', 5))),
    CHECK ((parent_code IS NULL) = (level = 'section')),
    -- the parent is the level just above: 'C2614' -> 'C261' -> 'C26' -> 'C'
    CHECK (parent_code IS NULL OR parent_code = left(code, CASE char_length(code) WHEN 3 THEN 1 ELSE char_length(code) - 1 END))
);
CREATE INDEX industry_parent_code ON dictionaries.industry (parent_code);

INSERT INTO dictionaries.industry (code, name, parent_code, level) VALUES
    ('A', '农、林、牧、渔业', NULL, 'section'),
    ('B', '采矿业', NULL, 'section'),
    ('C', '制造业', NULL, 'section'),
    ('D', '电力、热力、燃气及水生产和供应业', NULL, 'section'),
    ('E', '建筑业', NULL, 'section'),
    ('F', '批发和零售业', NULL, 'section'),
    ('G', '交通运输、仓储和邮政业', NULL, 'section'),
    ('H', '住宿和餐饮业', NULL, 'section'),
    ('I', '信息传输、软件和信息技术服务业', NULL, 'section'),
    ('J', '金融业', NULL, 'section'),
    ('K', '房地产业', NULL, 'section'),
    ('L', '租赁和商务服务业', NULL, 'section'),
    ('M', '科学研究和技术服务业', NULL, 'section'),
    ('N', '水利、环境和公共设施管理业', NULL, 'section'),
    ('O', '居民服务、修理和其他服务业', NULL, 'section'),
    ('P', '教育', NULL, 'section'),
    ('Q', '卫生和社会工作', NULL, 'section'),
    ('R', '文化、体育和娱乐业', NULL, 'section'),
    ('S', '公共管理、社会保障和社会组织', NULL, 'section'),
    ('T', '国际组织', NULL, 'section');

INSERT INTO dictionaries.industry (code, name, parent_code, level) VALUES
    ('A01', '农业', 'A', 'division'),
    ('A02', '林业', 'A', 'division'),
    ('A03', '畜牧业', 'A', 'division'),
    ('A04', '渔业', 'A', 'division'),
    ('A05', '农、林、牧、渔专业及辅助性活动', 'A', 'division'),
    ('B06', '煤炭开采和洗选业', 'B', 'division'),
    ('B07', '石油和天然气开采业', 'B', 'division'),
    ('B08', '黑色金属矿采选业', 'B', 'division'),
    ('B09', '有色金属矿采选业', 'B', 'division'),
    ('B10', '非金属矿采选业', 'B', 'division'),
    ('B11', '开采专业及辅助性活动', 'B', 'division'),
    ('B12', '其他采矿业', 'B', 'division'),
    ('C13', '农副食品加工业', 'C', 'division'),
    ('C14', '食品制造业', 'C', 'division'),
    ('C15', '酒、饮料和精制茶制造业', 'C', 'division'),
    ('C16', '烟草制品业', 'C', 'division'),
    ('C17', '纺织业', 'C', 'division'),
    ('C18', '纺织服装、服饰业', 'C', 'division'),
    ('C19', '皮革、毛皮、羽毛及其制品和制鞋业', 'C', 'division'),
    ('C20', '木材加工和木、竹、藤、棕、草制品业', 'C', 'division'),
    ('C21', '家具制造业', 'C', 'division'),
    ('C22', '造纸和纸制品业', 'C', 'division'),
    ('C23', '印刷和记录媒介复制业', 'C', 'division'),
    ('C24', '文教、工美、体育和娱乐用品制造业', 'C', 'division'),
    ('C25', '石油、煤炭及其他燃料加工业', 'C', 'division'),
    ('C26', '化学原料和化学制品制造业', 'C', 'division'),
    ('C27', '医药制造业', 'C', 'division'),
    ('C28', '化学纤维制造业', 'C', 'division'),
    ('C29', '橡胶和塑料制品业', 'C', 'division'),
    ('C30', '非金属矿物制品业', 'C', 'division'),
    ('C31', '黑色金属冶炼和压延加工业', 'C', 'division'),
    ('C32', '有色金属冶炼和压延加工业', 'C', 'division'),
    ('C33', '金属制品业', 'C', 'division'),
    ('C34', '通用设备制造业', 'C', 'division'),
    ('C35', '专用设备制造业', 'C', 'division'),
    ('C36', '汽车制造业', 'C', 'division'),
    ('C37', '铁路、船舶、航空航天和其他运输设备制造业', 'C', 'division'),
    ('C38', '电气机械和器材制造业', 'C', 'division'),
    ('C39', '计算机、通信和其他电子设备制造业', 'C', 'division'),
    ('C40', '仪器仪表制造业', 'C', 'division'),
    ('C41', '其他制造业', 'C', 'division'),
    ('C42', '废弃资源综合利用业', 'C', 'division'),
    ('C43', '金属制品、机械和设备修理业', 'C', 'division'),
    ('D44', '电力、热力生产和供应业', 'D', 'division'),
    ('D45', '燃气生产和供应业', 'D', 'division'),
    ('D46', '水的生产和供应业', 'D', 'division'),
    ('E47', '房屋建筑业', 'E', 'division'),
    ('E48', '土木工程建筑业', 'E', 'division'),
    ('E49', '建筑安装业', 'E', 'division'),
    ('E50', '建筑装饰、装修和其他建筑业', 'E', 'division'),
    ('F51', '批发业', 'F', 'division'),
    ('F52', '零售业', 'F', 'division'),
    ('G53', '铁路运输业', 'G', 'division'),
    ('G54', '道路运输业', 'G', 'division'),
    ('G55', '水上运输业', 'G', 'division'),
    ('G56', '航空运输业', 'G', 'division'),
    ('G57', '管道运输业', 'G', 'division'),
    ('G58', '多式联运和运输代理业', 'G', 'division'),
    ('G59', '装卸搬运和仓储业', 'G', 'division'),
    ('G60', '邮政业', 'G', 'division'),
    ('H61', '住宿业', 'H', 'division'),
    ('H62', '餐饮业', 'H', 'division'),
    ('I63', '电信、广播电视和卫星传输服务', 'I', 'division'),
    ('I64', '互联网和相关服务', 'I', 'division'),
    ('I65', '软件和信息技术服务业', 'I', 'division'),
    ('J66', '货币金融服务', 'J', 'division'),
    ('J67', '资本市场服务', 'J', 'division'),
    ('J68', '保险业', 'J', 'division'),
    ('J69', '其他金融业', 'J', 'division'),
    ('K70', '房地产业', 'K', 'division'),
    ('L71', '租赁业', 'L', 'division'),
    ('L72', '商务服务业', 'L', 'division'),
    ('M73', '研究和试验发展', 'M', 'division'),
    ('M74', '专业技术服务业', 'M', 'division'),
    ('M75', '科技推广和应用服务业', 'M', 'division'),
    ('N76', '水利管理业', 'N', 'division'),
    ('N77', '生态保护和环境治理业', 'N', 'division'),
    ('N78', '公共设施管理业', 'N', 'division'),
    ('N79', '土地管理业', 'N', 'division'),
    ('O80', '居民服务业', 'O', 'division'),
    ('O81', '机动车、电子产品和日用产品修理业', 'O', 'division'),
    ('O82', '其他服务业', 'O', 'division'),
    ('P83', '教育', 'P', 'division'),
    ('Q84', '卫生', 'Q', 'division'),
    ('Q85', '社会工作', 'Q', 'division'),
    ('R86', '新闻和出版业', 'R', 'division'),
    ('R87', '广播、电视、电影和录音制作业', 'R', 'division'),
    ('R88', '文化艺术业', 'R', 'division'),
    ('R89', '体育', 'R', 'division'),
    ('R90', '娱乐业', 'R', 'division'),
    ('S91', '中国共产党机关', 'S', 'division'),
    ('S92', '国家机构', 'S', 'division'),
    ('S93', '人民政协、民主党派', 'S', 'division'),
    ('S94', '社会保障', 'S', 'division'),
    ('S95', '群众团体、社会团体和其他成员组织', 'S', 'division'),
    ('S96', '基层群众自治组织及其他组织', 'S', 'division'),
    ('T97', '国际组织', 'T', 'division');

-- --- 监管行业 supervised sectors --------------------------------------------------------------------
-- The sectors the emergency-management system supervises. group_name marks the eight 工贸行业
-- (冶金、有色、建材、机械、轻工、纺织、烟草、商贸), which are regulated and reported together.
-- 建筑施工 and 交通运输 are led by their own departments (住建, 交通运输) and are listed here for
-- accident and hazard records that touch them.
CREATE TABLE dictionaries.sector (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    group_name  text,
    sort        integer NOT NULL UNIQUE
);

INSERT INTO dictionaries.sector (code, name, group_name, sort) VALUES
    ('coal', '煤矿', NULL, 10),
    ('non_coal_mine', '非煤矿山', NULL, 20),
    ('hazardous_chemicals', '危险化学品', NULL, 30),
    ('fireworks', '烟花爆竹', NULL, 40),
    ('metallurgy', '冶金', '工贸行业', 50),
    ('nonferrous', '有色', '工贸行业', 60),
    ('building_materials', '建材', '工贸行业', 70),
    ('machinery', '机械', '工贸行业', 80),
    ('light_industry', '轻工', '工贸行业', 90),
    ('textile', '纺织', '工贸行业', 100),
    ('tobacco', '烟草', '工贸行业', 110),
    ('commerce_trade', '商贸', '工贸行业', 120),
    ('construction', '建筑施工', NULL, 130),
    ('transport', '交通运输', NULL, 140),
    ('other', '其他', NULL, 999);

-- --- 事故类别 GB 6441-1986 《企业职工伤亡事故分类》 --------------------------------------------------
-- The 20 types in the standard's order; code is the two-digit ordinal.
CREATE TABLE dictionaries.accident_type (
    code  text PRIMARY KEY CHECK (code ~ '^\d{2}$'),
    name  text NOT NULL UNIQUE CHECK (name <> ''),
    sort  integer NOT NULL UNIQUE
);

INSERT INTO dictionaries.accident_type (code, name, sort) VALUES
    ('01', '物体打击', 1),
    ('02', '车辆伤害', 2),
    ('03', '机械伤害', 3),
    ('04', '起重伤害', 4),
    ('05', '触电', 5),
    ('06', '淹溺', 6),
    ('07', '灼烫', 7),
    ('08', '火灾', 8),
    ('09', '高处坠落', 9),
    ('10', '坍塌', 10),
    ('11', '冒顶片帮', 11),
    ('12', '透水', 12),
    ('13', '放炮', 13),
    ('14', '火药爆炸', 14),
    ('15', '瓦斯爆炸', 15),
    ('16', '锅炉爆炸', 16),
    ('17', '容器爆炸', 17),
    ('18', '其它爆炸', 18),
    ('19', '中毒和窒息', 19),
    ('20', '其它伤害', 20);

-- --- 危险化学品重大危险源辨识 GB 18218-2018 ---------------------------------------------------------
-- What forms and the API serve; the rule engine keeps its own authoritative tables. This migration
-- loads only the substances whose threshold has been checked against the standard (14 of them). The
-- table is OPEN for the full list of 85 named substances of GB 18218-2018 Table 1: add them, keyed by
-- CAS number, in a later migration.
--   threshold_t  临界量 Q in tonnes.
--   category     hazard class that decides the correction factor β when the substance is not named.
--   beta         校正系数 β. Set where the standard fixes it for the substance: the named toxic gases
--                (NH3 2, Cl2 4, COCl2 20, SO2 2, ethylene oxide 2) and the flammable-gas class W2 (1.5);
--                oxidising gas 1 [verify]. NULL for flammable liquids: their β depends on the W5
--                sub-class (1.5 for W5.1 — category 1, or category 2/3 worked above the boiling point —
--                otherwise 1), which is a property of the unit's process, not of the substance.
CREATE FUNCTION dictionaries.cas_is_valid(cas text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
        SELECT cas ~ '^\d{2,7}-\d{2}-\d$'
           AND (SELECT sum(i * substr(d, i, 1)::int) % 10
                  FROM (SELECT reverse(replace(left(cas, -2), '-', '')) AS d) AS digits,
                       generate_series(1, char_length(d)) AS i) = right(cas, 1)::int
    $$;
COMMENT ON FUNCTION dictionaries.cas_is_valid(text) IS
    'CAS registry number format and check digit: the digits before the last, weighted 1, 2, 3 … from the right, summed, mod 10.';

CREATE TABLE dictionaries.substance (
    cas          text PRIMARY KEY CHECK (cas ~ '^\d{2,7}-\d{2}-\d$' AND dictionaries.cas_is_valid(cas)),
    name_zh      text NOT NULL CHECK (name_zh <> ''),
    name_en      text NOT NULL CHECK (name_en <> ''),
    threshold_t  numeric NOT NULL CHECK (threshold_t > 0),
    category     text NOT NULL CHECK (category <> ''),
    beta         numeric CHECK (beta > 0)
);
COMMENT ON TABLE dictionaries.substance IS
    'GB 18218-2018 named substances, keyed by CAS. Partial (14 of 85): open for the full Table 1 list.';

INSERT INTO dictionaries.substance (cas, name_zh, name_en, threshold_t, category, beta) VALUES
    ('7664-41-7',  '氨',                 'Ammonia',                        10,  '毒性气体',   2),
    ('7782-50-5',  '氯',                 'Chlorine',                       5,   '毒性气体',   4),
    ('75-44-5',    '光气（碳酰氯）',     'Phosgene (carbonyl dichloride)', 0.3, '毒性气体',   20),
    ('7446-09-5',  '二氧化硫',           'Sulfur dioxide',                 20,  '毒性气体',   2),
    ('75-21-8',    '环氧乙烷',           'Ethylene oxide',                 10,  '毒性气体',   2),
    ('68476-85-7', '液化石油气',         'Liquefied petroleum gas',        50,  '易燃气体',   1.5),
    ('74-82-8',    '甲烷、天然气',       'Methane, natural gas',           50,  '易燃气体',   1.5),
    ('74-86-2',    '乙炔',               'Acetylene',                      1,   '易燃气体',   1.5),
    ('1333-74-0',  '氢',                 'Hydrogen',                       5,   '易燃气体',   1.5),
    ('7782-44-7',  '氧（压缩的或液化的）', 'Oxygen (compressed or liquefied)', 200, '氧化性气体', 1),
    ('71-43-2',    '苯',                 'Benzene',                        50,  '易燃液体',   NULL),
    ('108-88-3',   '甲苯',               'Toluene',                        500, '易燃液体',   NULL),
    ('67-56-1',    '甲醇',               'Methanol',                       500, '易燃液体',   NULL),
    ('86290-81-5', '汽油（乙醇汽油、甲醇汽油）', 'Gasoline (incl. ethanol and methanol blends)', 200, '易燃液体', NULL);

-- --- 专家专业领域 expert fields ---------------------------------------------------------------------
CREATE TABLE dictionaries.expert_field (
    code  text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    name  text NOT NULL UNIQUE CHECK (name <> ''),
    sort  integer NOT NULL UNIQUE
);

INSERT INTO dictionaries.expert_field (code, name, sort) VALUES
    ('hazardous_chemicals', '危险化学品', 10),
    ('non_coal_mine', '非煤矿山', 20),
    ('coal', '煤矿', 30),
    ('fireworks', '烟花爆竹', 40),
    ('industry_trade', '工贸', 50),
    ('occupational_health', '职业卫生', 60),
    ('fire', '消防', 70),
    ('electrical', '电气', 80),
    ('special_equipment', '特种设备', 90),
    ('emergency_rescue', '应急救援', 100),
    ('construction', '建筑施工', 110),
    ('transport', '交通运输', 120),
    ('safety_management', '安全生产管理', 130),
    ('other', '其他', 999);

-- --- 救援队伍专业 rescue-team specialties -----------------------------------------------------------
CREATE TABLE dictionaries.rescue_specialty (
    code  text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    name  text NOT NULL UNIQUE CHECK (name <> ''),
    sort  integer NOT NULL UNIQUE
);

INSERT INTO dictionaries.rescue_specialty (code, name, sort) VALUES
    ('mine_rescue', '矿山救护', 10),
    ('hazmat_rescue', '危化救援', 20),
    ('fire_rescue', '消防救援', 30),
    ('water_rescue', '水域救援', 40),
    ('medical_rescue', '医疗救护', 50),
    ('engineering_rescue', '工程抢险', 60),
    ('comprehensive', '综合', 70);
