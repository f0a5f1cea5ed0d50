"""Deterministic, realistic demo data for 平凉市 (Pingliang): every record kind of the ten
databases, at a chosen scale. Pure: no I/O, no clock (unless `as_of` is left out, when it is today
in Beijing time). `python -m services.datacenter.seed` loads what this makes; docs/seed.md.

    data = generate(scale=200, seed=2026, as_of=date(2026, 11, 23))
    for record in data["enterprise"]: ...

`generate` returns {kind name: iterator of records}, in load order. A record holds the kind's
writable fields as typed values — the shapes `registry.values.parse` produces (date, tz-aware
datetime in Asia/Shanghai, Decimal, int, float, bool, list, dict) — and never a computed field.
References between generated records (an item's warehouse, a movement's item) are the 1-based
position of the referenced record in its kind's sequence; the loader turns them into stored ids.
Records of an enterprise carry its `uscc`; region and enterprise name come from the enterprise.

Scale S: S enterprises over the seven counties and their townships (the first seven, one per
county, so every county has some at any scale); 5·S hazards over the last 36 months; about S/20
major hazard sources; S/50 accidents; S/15 rescue teams; S/20 warehouses with their items and
ledgers; S/10 experts; licences for the licensed trades; S/8 officers; 1.5·S trainees (each kind
with a sensible minimum). Same (scale, seed, as_of) → the same records. Names, codes and people do
not depend on `as_of`: a later day shifts every date by the same amount and keeps the rest."""
from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import accumulate
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

from services.kit.codes import USCC_ALPHABET, resident_id_check_char, uscc_check_char

SHANGHAI = ZoneInfo("Asia/Shanghai")
CITY = "620800"
# Load order: what a record points at comes before it.
KINDS = ("law", "enterprise", "supply_warehouse", "supply_item", "supply_movement", "hazard", "major_hazard", "monitoring_point",
         "rescue_team", "accident", "expert", "licence", "officer", "trainee")
HISTORY_DAYS = 3 * 365 + 1   # hazards and accidents: the last 36 months


# --- places ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class County:
    code: str
    name: str
    lon: float          # seat of government, as in migration 0005 (approximate, ~0.02°)
    lat: float
    abbr: str           # 发文机关代字 of its emergency bureau: 崆应急发
    weight: float       # share of the city's enterprises
    seat: str           # the town the county seat is in (besides its 街道)
    park: str           # its industrial park
    park_township: str


COUNTIES: tuple[County, ...] = (
    County("620802", "崆峒区", 106.665, 35.543, "崆", 30, "", "平凉工业园区", "四十里铺镇"),
    County("620821", "泾川县", 107.367, 35.332, "泾", 12, "城关镇", "泾川县工业集中区", "城关镇"),
    County("620822", "灵台县", 107.621, 35.065, "灵", 9, "中台镇", "灵台县工业集中区", "中台镇"),
    County("620823", "崇信县", 107.036, 35.301, "崇", 9, "锦屏镇", "崇信县工业集中区", "锦屏镇"),
    County("620825", "庄浪县", 106.037, 35.202, "庄", 13, "水洛镇", "庄浪县工业集中区", "水洛镇"),
    County("620826", "静宁县", 105.733, 35.522, "静", 15, "城关镇", "静宁县工业园区", "城关镇"),
    County("620881", "华亭市", 106.653, 35.218, "华", 12, "东华镇", "华亭工业园区", "东华镇"),
)
COUNTY = {c.code: c for c in COUNTIES}


@dataclass(frozen=True)
class Township:
    code: str           # 9 digits, as in dictionaries.region (migration 0005)
    name: str
    county: str
    villages: tuple[str, ...]
    lon: float
    lat: float
    seat: bool          # a 街道 or the county-seat town
    special: bool       # a farm or a scenic-area committee: no industry there

_TOWNSHIPS: tuple[tuple[str, str, str], ...] = (
    ("620802001", "东关街道", "解放中路社区 解放北路社区 宝塔社区 兴合庄社区 虹光家属社区 铁路社区 东郊社区 保丰路社区 双桥路社区 中山桥社区"),
    ("620802002", "中街街道", "东大街社区 南河道社区 新民路社区 万安门社区 广成路社区 新民北路社区"),
    ("620802003", "西郊街道", "广场社区 西门口社区 二天门社区 三天门社区 甘沟路社区 兴北路社区 民馨家园社区 丰收路社区"),
    ("620802101", "崆峒镇", "祁河村 甘沟村 中河村 高岭村 贾咀村 北岭村 西沟村 官庄村 韩家沟村 蒋家沟村 寨子街村 太统村 鸭儿沟村 榆树村"),
    ("620802102", "白水镇", "王寨村 杏林村 马莲村 打虎村 白水村 永乐村 王沟村 孟寨村 史家沟村 大潘村 甘沟村 高沟村 焦庄村 大陈村 杨涧村 段堡村 半坡村 幸福村"),
    ("620802103", "草峰镇", "陈洼村 郭刘村 九龙村 丁寨村 岭背后村 盘龙村 草滩村 明星村 十庄村 长沟村 安家村 赵家村 张寨村 潘城村 余寨村 夏寨村 范河村 杨庄村 马洼村 峁洼村 祁段村"),
    ("620802104", "安国镇", "白杨林村 上李村 油坊庄村 安国村 东沟村 余庄村 阎沟村 范庄村 颉河村 土桥村 岘梁村 尚堡村 王堡村 大庄村 党庄村 吊川村 颉沟村 崔庙村 翟湾村 老庄村"),
    ("620802105", "柳湖镇", "新李村 永红村 赵堡村 八里村 麻黄村 土坝村 南台村 柳湖村 泾滩村 保丰村 十里铺村 王坪村 马家庄村 杜沟村"),
    ("620802106", "四十里铺镇",
     "清福社区 马坊村 长沟门村 米家湾村 演武村 新庄村 二十里铺村 七府村 上甲村 下甲村 三十里铺村 殷家湾村 民张村 军张村 上湾村 瑶峰头村 曹湾村 庙底下村 高堡村 郿岘村 马峪口村 芦寨村 "
     "清街村 洪岳村 吴岳村 杨塬村 庙庄村"),
    ("620802107", "花所镇", "寺沟村 潘口村 信河村 光明村 花所村 段沟村 苏陈村 周柳村 塔山村"),
    ("620802203", "索罗乡", "王岭村 涧边村 西李村 汝林村 东白村 董洼村 张树村 胡洼村 庙后村 姚王村"),
    ("620802204", "香莲乡", "三里村 观殿村 薛冯村 宋塬村 卜河村 什字村 香莲村 曹河村 高河村 上麻村 下麻村"),
    ("620802205", "西阳乡", "中营村 安河村 清明村 高粱村 姚湾村 陡沟洼村 唐湾村 西阳村 罗沟村 尹山村 上马村 下马村 火连湾村"),
    ("620802206", "大秦乡", "大秦村 大张村 刘庙村 东阳村 三树湾村 沙塬村 梁东村 梁西村 东九村 苏家村 西九村 腾堡村"),
    ("620802207", "白庙乡", "小秦村 栾塬村 柴寺村 贾洼村 白庙村 小陈村 文邓村 罗湾村 双庙村"),
    ("620802208", "寨河乡", "大路村 高寨村 田河村 瓦赵村 沟上村 姬家山村 寨子村 闫湾村 赵河村 郭河村 鄢铺村 上滩村"),
    ("620802209", "大寨乡", "高塬村 土谷堆村 大寨村 张庄村 童咀村 小马村 老庄洼村 白土村 赵塬村 雷神庙村 潘岭村 马营子村 雨林村 曹子村 康庄村 穆家村 桂花村 柳沟村 清水岭村 油坊村 锁家村 黄家村 刘家村 梨园村"),
    ("620802210", "上杨乡", "小岔村 石灰沟村 新庄湾村 王各村 早庄村 下杨村 上杨村"),
    ("620802211", "麻武乡", "麻武村 端里村 杨家山村 城子村 石家沟村 后沟村 月明村"),
    ("620802212", "峡门乡", "二沟村 湫池村 买家村 桂井村 阳坡村 白坡村 唐庄村 吴坡村 王山村 贤太村 峡门村 黑南村 西山村 马山村 王店村 姚树湾村 白家山村 汪陈湾村 颉岭村 关粱村 白杨沟村 山口村 麻川村 四道沟村"),
    ("620802498", "平凉崆峒山大景区管理委员会", ""),
    ("620821001", "城市社区街道", "东街社区 北街社区 南街社区 中街社区 西街社区 安定社区 回中社区 东升社区"),
    ("620821100", "城关镇", "阳坡村 水泉寺村 共池村 兰家山村 东庵村 新沟村 凤凰村 水泉村 土窝子村 杨柳村 茂林村 袁家庵村 天池村 五里铺村 延风村 蒋家村 甘家沟村 何家坪村"),
    ("620821101", "玉都镇", "西王村 刘李河村 王寨村 官村 玉都村 端贤村 下坳村 太阳墩村 郭马村 贾洼村 李胡村 星火村 摆旗村 郭家咀村 康家村 尹家洼村"),
    ("620821102", "高平镇",
     "高平村 城南村 胡家峪村 三家村 塬边村 后庄村 袁家城村 东坡村 杜家村 原梁村 铁佛村 原尚村 草滩村 代家村 上梁村 下梁村 董家村 渠刘村 茜家沟村 大寺坳村 牛家咀村 任家寺村 上湾村 "
     "三十里铺村 黄家铺村 贾家洼村 寨子村 许家坡村"),
    ("620821103", "荔堡镇", "刘山村 原董村 庙李村 沟圈村 问城村 地庄村 袁口村 南关村 东关村 西关村 高马村 云吕村 南李村 小寨村 大寨村 崖窑村 张茂才村"),
    ("620821104", "王村镇", "泾源村 上塬村 中塬村 四坡村 掌曲村 光明村 二十里铺村 向明村 王村 百泉村 墩台村 徐王村 燕雷村 朱家涧村 章村 刘家沟村 雷李村 完颜村"),
    ("620821105", "窑店镇", "将军村 西门村 南头湾村 峪头村 丰禾村 坳心村 东坡村 练范村 庙头村 龙盘村 公主村 雷家岭村"),
    ("620821106", "飞云镇", "南庄头村 闫崖头村 老庄村 坡头村 南峪村 元朝村 东高寺村 飞云村 西高寺村 毛家村 岸门村"),
    ("620821107", "丰台镇", "丰台村 丰台墩村 杨涝池村 通尔沟村 焦家村 西头王村 伍仲村 湫池村 张观察村 盖郭村 巨家村 湫池沟村 南堡子村"),
    ("620821108", "党原镇", "李家村 小徐村 代家村 丁寨村 东联村 西联村 城刘村 高寨村 湾口村 赵家村 唐家村 陈袁村 樊家村 吊沟村 完颜洼村 高崖村 徐家村 合道村 坷老村 永丰村 陈坳村 高丰村 柳寨村"),
    ("620821109", "汭丰镇", "张老寺社区 焦家会村 龙王村 东王村 郑家沟村 百烟村 同中村 三十梁村 枣林子村 范家洼村"),
    ("620821110", "太平镇", "三星村 红崖湾村 何家村 周家村 寨子洼村 四郞殿村 口家村 崖窑村 七千关村 荒场村 盘口村 焦村 朱家沟村 里口村 阴坡村"),
    ("620821201", "罗汉洞乡", "王家沟村 罗汉洞村 土堑坳村 三山子村 南河村 吕家拉村 中村 景村 北坡村 挽头坪村 张姚村 丈八寺村"),
    ("620821202", "泾明乡", "雷家沟村 紫荆村 长务城村 吊堡子村 练家坪村 沟门前村 山底下村 庄头村 白家村 郝家村 苏家河村 算李村"),
    ("620821203", "红河乡", "杨吕村 田赵村 龙王桥村 吴家村 朱段村 东庄村 柳王村 姚哈村"),
    ("620822001", "城市社区管理委员会地区", "东大街社区 西大街社区 城东社区 城南社区 碑子沟社区 城西社区"),
    ("620822100", "中台镇", "坷台村 杨村 水泉村 城关村 南店子村 康家沟村 红崖沟村 胡家店村 下河村 东王沟村 许家沟村 安家庄村"),
    ("620822101", "邵寨镇", "东坪村 干槐树村 东郭村 三坡村 新民村 吴家什字村 三联村 光辉村 白崖村 东庄村 石坊村 雷家河村 黎家河村"),
    ("620822102", "独店镇", "白峪村 瓦峪村 大户彭村 中庆村 何屯坡村 张鳌坡村 景村 姚李村 庙背村 吊街村 林王村 崖窑村 告王村 薛家庄村 冯家堡村 龙翻头村 沟沟王村 张坡村 东夏村 马家塄村 秋射村"),
    ("620822103", "什字镇",
     "南门社区 北门社区 前进村 湾里陶村 青岗铺村 窑子坡村 曹家老庄村 李家庄村 庙头村 长坡村 梁家咀村 草脉村 饮马咀村 姚家沟村 中永村 赵家沟村 西郊村 韩家湾村 水晶村 沟圈村 南沟村 南庄村 "
     "宅阳村 罗家庄村 郭家老庄村 北沟村 胜利村 瓦咀村 三村村 北河村"),
    ("620822104", "朝那镇", "西张村 社古村 后沟村 什字村 三里村 老庄村 马寨村 街子村 小寨村 盘头村 干涝村 高崖村"),
    ("620822105", "西屯镇", "柳家铺村 小村村 郭杨村 爱子村 店子村 白草坡村 桥子村 穆村 南头村 大社村 北庄村 大王村 东湾村 上孙村 姜家庄村"),
    ("620822106", "上良镇", "涧沟村 旧集村 西门村 朱堡村 上郑村 三村张村 荣旺村 北张村 杨庄村 右集村 合集村 蒋家沟村"),
    ("620822107", "百里镇", "太明沟村 石塘村 稔沟村 曹家沟村 犁园村 上李村 观音村 严家村 古城村 蒙家庄村 路家沟村 李家坡村 杨新庄村 川口村 二联村 崖湾村 新集村 柴朝村 芦子集村"),
    ("620822108", "蒲窝镇", "关庄村 宁子村 任家坡村 韩家洼村 五星村 郑家洼村 青山村 塔贤村 蒲窝村 新庙村"),
    ("620822201", "新开乡", "梁家庄村 寺沟村 冯家山村 底庄村 下周村 寺底村 姚家湾村 高岭塬村 大户村 寨坡村 华掌村"),
    ("620822204", "梁原乡", "景家庄村 杜家沟村 朱家湾村 安冯村 王家沟村 东门村 官村 付家沟村 马家沟村 新庄塬村 横渠村 张家塬村 温家庄村"),
    ("620822205", "龙门乡", "崾岘村 牛宅村 民乐村 官庄沟村 王家山村 代家庄村 枣子川村 高家山村 英武村"),
    ("620822206", "星火乡", "西村村 上塬村 蔡家塬村 和号村 老户村 王家庄村 罗家坡村 程家塬村 星火村 东岭村 小原村"),
    ("620822400", "万宝川农场", ""),
    ("620823001", "城市社区管理委员会街道", "西街社区 东街社区 滨河路社区 鱼堡子社区"),
    ("620823100", "锦屏镇",
     "关村 东街村 西街村 梁坡村 枣林村 刘家沟村 薛家湾村 平头沟村 姚洼村 东庄村 位家沟村 杜家沟村 关河村 新集村 野雀村 长新村 冉李村 九功村 于家湾村 文家咀村 李家沟村 马沟村 铜城村 "
     "杜家塬村 庙台村 赵湾村"),
    ("620823101", "新窑镇", "新窑社区 五举社区 后庄村 新窑村 柏家沟村 祁家寨子村 大兴村 戚家川村 青泥沟村 西刘村 宰相村 杨安村 赤城村 周寨村 黄庄村"),
    ("620823102", "柏树镇", "柏树村 三星村 党洼村 东风村 申家庄村 信家庄村 陶坡村 张湾村 闫湾村 马新庄村 吴家湾村 木家坡村"),
    ("620823103", "黄寨镇", "屈家洼村 白家新庄村 黄土寺村 张明洼村 茜洼村 黄寨村 北沟村 甘庄村 马寨村 水泉洼村 大麦沟村"),
    ("620823202", "黄花乡", "马寨子村 高庄子村 凉水泉村 油府庄村 杨家沟村 黄花塬村 高年村 水磨村"),
    ("620823203", "木林乡", "桃花岭村 东阳寨村 崖窑村 沟老村 木林村 大庄村 马家沟村 金龙村 野羊村"),
    ("620825001", "水洛街道", "东街社区 西街社区 北城社区 新北社区 南城社区 幸福社区 朝阳社区 紫荆社区"),
    ("620825100", "水洛镇", "水岸花城移民社区 东关村 西关村 李庄村 李碾村 徐碾村 文湾村 中川村 贺庄村 何马村 新兴村 新光村 柳咀村 陈洞村 胡沟村 郭堡村 二李村 吊沟村 崖王村"),
    ("620825101", "南湖镇", "南湖镇陈庄移民社区 北关村 南门村 陈庄村 席河村 贾门村 寺门村 李湾村 双堡村 石峡村 石阳村 高房村 李庄村 曹湾村 汪家村 庙岔村 大庄村"),
    ("620825102", "朱店镇", "朱河村 小湾村 西街村 中街村 东街村 三合村 董湾村 吴沟村 毛柳村 河北村 柳窑村 郑山村 牛咀村 高庙村 杨湾村 大曹村 柳李村 万柳村 王坪村 王川村 新王村"),
    ("620825103", "万泉镇", "东山村 杜家村 刘家村 田湾村 田岔村 田坪村 高川村 邵坪村 东沟村 万庄村 万川村 清水沟村 崔坪村 东台村 马川村 西坪村 徐城村 王李岔村 圪寺村 霍李村 史沟村"),
    ("620825104", "韩店镇", "花河移民社区 王崖移民社区 郭漫村 石桥村 花河村 岔沟村 刘咀村 王崖村 上洼村 马家寺村 东门村 西门村 试雨村 刘河村 下沟村 中庄村 武家村 潘河村 聂坪村"),
    ("620825105", "卧龙镇", "大庄村 魏山村 双河镇村 魏家村 庙湾村 下杨村 孙河村 何家村 石山村 苏山村 张山村 棉沟村 马湾村 山集村 马沟村 山赵村 张余村 阴李村 后梁村 杨魏村 仇沟村 刘罗村 仇梁村 郝家村"),
    ("620825106", "阳川镇", "大湾村 李湾村 台咀村 孙王村 新沟村 下堡子村 刘湾村 苟岔村 赵湾村 李家咀村 岳坪村 红坡村 三益村 王塬村 东湾村 西湾村"),
    ("620825107", "盘安镇", "孙沟村 王上庄村 托神村 王下庄村 王宫村 湾李村 岔李村 吴陈村 马家村 杨宋村 申湾村 周家村 焦湾村 颉崖村 牡丹村 樊庙村 刘陈村 雷家村"),
    ("620825108", "大庄镇", "大庄村 小湾村 张山村 王山村 杨局村 下王村 上李村 杜家村 青龙沟村 南湾村 连王村 刘沟村 刘庙村 梁山村 老山沟村 丁山村"),
    ("620825109", "通化镇", "韩席村 陈堡村 梅堡村 石岔村 新庄村 新集村 韩湾村 阳坡何村 高崖韩村 中庄村 通边村 薛沟村 野赵村 刘善村 梁河村 新后庄村"),
    ("620825110", "永宁镇", "阳洼村 谈街村 河湾村 朱湾村 陈湾村 下湾村 葛峡村 宋堡村 漫湾村 鱼咀村 秦洼村 许湾村 刘门村 赵湾村 苏山村 老庄村"),
    ("620825111", "良邑镇", "良邑村 滴水崖村 李咀村 黑龙沟村 陈峡村 陈家山村 苏苗塬村 何川村 郭魏村 陈岔村 杨李村 大坪村 杨王村"),
    ("620825112", "岳堡镇", "南岔村 岔局村 王岔村 吴家村 埂塄村 大湾村 蒋寺村 蔡家村 下闫村 岳堡村 岔口村 崔家村"),
    ("620825113", "柳梁镇", "大庄村 孟山村 李山村 阳洼村 徐家村 周蒲村 李堡村 下岔村 川边村 赵岔村 柳梁村 吊咀村 张陈村 陈山村 柳渠村 乱庄村 阳坡村 河湾村"),
    ("620825114", "南坪镇", "阴洼村 刘坪村 苏坪村 沈坪村 刘靳村 中靳村 大庄村 唐山村 寺门村 大李村 高庄村 史坪村 史湾村"),
    ("620825201", "杨河乡", "李庄村 杨河村 马阳洼村 大庄村 元咀村 张沟村 逯岔村 沈岔村 寺岔村 王湾村 关湾村 李润村 马寺村"),
    ("620825202", "赵墩乡", "大庄村 井沟村 阳川村 孙庙村 蛟寺村 蛟掌村 梨湾村 裴堡村 石咀村 关道村 王堡村 牡丹村 赵墩村"),
    ("620825215", "郑河乡", "庙川村 史川村 具峡村 拉连寺村 史洼村 卢洼村 郑河村 条牛沟村 上寨村 下寨村 龙湾村 阴洼村"),
    ("620826001", "城区街道", "庙川社区 北环路社区 人民巷社区 阿阳路社区 成纪路社区 西城社区 东城社区 新盛社区 崇文路社区"),
    ("620826100", "城关镇", "西关社区 南关社区 新城社区 东关社区 西关村 南关村 新城村 东关村 峡门村"),
    ("620826101", "威戎镇", "厚岔村 杨桥村 下沟村 贾马村 梁马村 李沟村 张齐村 武高村 寨子村 杨湾村 马山村 王咀村 新胜村 新华村 上磨村 威戎村 北关村"),
    ("620826102", "界石铺镇", "继红村 西川村 魏湾村 祁岔村 崔岔村 水鱼村 邢岔村 朱山村 上河村 二夫村 关湾村 大河村 王庄村 高堡村 七里村 李堡村 赵岔村 四福村 联盟村 井沟村 中寨村 谷湾村"),
    ("620826103", "八里镇", "高城寨社区 郭罗村 闫庙村 高城寨村 红林村 靳坪村 大路村 关道岔村 小山村 照世坡村 剡白村"),
    ("620826104", "李店镇", "王沟村 孔沟村 蒲岔村 郑湾村 阴坡咀村 郭湾村 上杜村 徐岔村 郭柴村 白草屲村 杜河村 细湾村 薛胡村 刘晋村 店子村 常坪村 五方河村"),
    ("620826105", "古城镇", "齐岔村 杨沟村 邹河村 上程村 程梁村 上李村 田岔村 西岔村 二堡村 余湾村 丁寺村 老庄村 同心村 连湾村 阴坡村 柳沟村 岳咀村 西湾村 高刘村 朱川村 陈河村 庙堡村 胡坡村 贾庄村"),
    ("620826106", "仁大镇", "堡湾村 故坪村 阳屲村 南门村 高硖村 高沟村 李湾村 解放村 刘川村 杨湾村 新兴村 海湾村 西山沟村 西张村 东张村 东湾村 阳坡村 硖口村 扯弓塬村"),
    ("620826107", "甘沟镇", "甘沟村 屯堡村 响河村 雷黄村 圪垯村 闫岔村 上岔村 小岔村 水坪村 庙岔村 张湾村 梁岔村 马坡村 祁川村 王川村 张著村 杨咀村 大柳村 牡丹村"),
    ("620826108", "城川镇", "杨庄村 陈马村 冯局村 甘河村 红旗村 靳寺村 吴庙村 高湾村 大寨村 咀头村"),
    ("620826109", "曹务镇", "唐山村 永丰村 张屲村 店子村 中庄村 程垣村 曹崖村 田沟村 罗林村 张珍湾村 页湾村 曹大村 柳岔村"),
    ("620826110", "雷大镇", "安乐村 陈局村 雷大村 黎沟村 张局村 新义村 兴坪村 合岘村 谢吕村 屈岔村 柴岔村 秀锦村 下马村 后梁村 曹沟村 曹河村 范堡村 麻硖村"),
    ("620826111", "四河镇", "王河村 张尤村 豆河村 周岔村 四河村 岘口村 黄川村 麻岔村 上赵村 涧沟村 大湾村 上卢村 罗岔村 花沟岔村 芦湾村 雷河村 晨光村 大庄坪村 田堡村 王岔村 石河村 田河村"),
    ("620826112", "细巷镇", "谭店村 韩川村 米岔村 瓦岔村 靳堡村 细巷村 曹川村 厚川村 郭尹村 慕岔村 后岔村 刘堡村 中华村 朱张村 文坪村"),
    ("620826113", "双岘镇", "中湾村 团庄村 王岔村 长岔村 姚湾村 页沟村 双岘村 李咀村 胡河村 樊梁村 上海村 尤家村"),
    ("620826114", "治平镇", "后沟村 刘河村 大庄村 雷沟村 朱堡村 安宁村 伍坪村 柳沟村 陈峡村 马合村 杨店村 阴坡村"),
    ("620826115", "红寺镇", "红寺村 二河村 丈子村 庙河村 玉皇村 红堡村 胡沟村 化沟村 魏沟村 甘湾村 王湾村 张峡村 白局村 吊岔村 文寺村 寺岔村"),
    ("620826116", "原安镇", "百富村 苏赵村 吉林村 庙川村 哈拉村 张营村 民寨村 关音村 坷老村 程义村 荞岔村 原头村 姚河村 齐埂村"),
    ("620826201", "司桥乡", "张彭村 潘王村 吕曲村 唐岔村 上马村 席湾村 酸刺村 庙咀村 南坡村 司桥村 牟沟村"),
    ("620826206", "余湾乡", "羊路村 胡同村 阴屲村 花咀村 苗岘村 张沟村 王坪村 韩马村 韩店村"),
    ("620826208", "贾河乡", "王沟村 剪岔村 贾河村 高窑村 山庄村 宋堡村 侯山村 中堡村 山上湾村"),
    ("620826209", "深沟乡", "孙山村 王堡村 联民村 大岔村 麦顶村 深沟村 小户村 樊沟村"),
    ("620826211", "新店乡", "甘坡村 孙湾村 段岔村 新店村 杏湾村 小湾村 任刘村 秦王村"),
    ("620826216", "三合乡", "陈安村 北集村 段渠村 王湾村 前咀村 古岔村 光华村 硷滩村 黄湾村 张安村 新堡村 任岔村"),
    ("620826218", "灵芝乡", "高义村 车李村 尹岔村 张堡村 水流村 东庄村 杨岔村 杨渠村 前湾村 长塬村 俊峰村"),
    ("620881001", "东华街道", "东大街社区 世纪花园社区 西大街社区 凤仪社区 华矿社区 梅苑社区 文化街社区 北大街社区 惠民社区 莲花湖社区 西郊社区"),
    ("620881100", "东华镇", "东华社区 西关社区 前岭社区 东峡社区 北河村 黎明村 庞磨村 王峡口村 南村沟村 裕光村 月圆村 刘家沟村"),
    ("620881101", "安口镇",
     "东大街社区 西大街社区 瓷市街社区 安丰社区 三星社区 石介子社区 纪家庄社区 石堡子社区 前峰村 阳安村 立新村 大坪村 吴家坪村 石坪村 陶坪村 胡家窑村 高镇村 马家堡村 朱家坡村 吴家堡村 "
     "晨光村 关庄村 三山村 南山村 双凤村 武村铺村"),
    ("620881102", "西华镇", "上亭社区 龚阳村 刘磨村 峪民村 西塬村 王寨村 青林村 什民村 阳关村 草滩村 新庄洼村 西华村 麻庵村 兴民村"),
    ("620881103", "马峡镇", "刘店村 蒋庄村 赵庄村 腰崖村 双明村 寺沟村 大岭村 深沟村 罗马寺村 苍沟村 孟台村 车场沟村 燕麦河村 马峡村"),
    ("620881104", "策底镇", "盘坡村 光明村 罗莽村 策底坡村 关梁村 红旗村 大南峪村 小南峪村 策底村"),
    ("620881105", "上关镇", "早阳村 水联村 陈家河村 楞坎村 西庄村 半川村 小川村 王家沟村 磨坪村 碾子沟村 上关村"),
    ("620881106", "河西镇", "景儿洼村 建沟村 新庄村 新西村 杨庄村 河南村 河西村"),
    ("620881201", "神峪乡", "神峪社区 九一沟村 寇家河村 吉家河村 南梁村 袁庄村 草窝村 下关村 新寨塬村 张家磨村 西沟门村"),
    ("620881202", "山寨乡", "甘河村 景坪村 南阳洼村 峡滩村 西街村 北阳洼村 刘河村 东街村"),
    ("620881204", "砚峡乡", "砚峡社区 麻池社区 东沟社区 土桥村 韩河村 曹家沟村"),
)


def _townships() -> tuple[Township, ...]:
    out = []
    for code, name, villages in _TOWNSHIPS:
        county = COUNTY[code[:6]]
        seat = int(code[6:9]) < 100 or name == county.seat
        special = "农场" in name or ("管理委员会" in name and not seat)
        if seat:
            # The seat's 街道 and town share the seat's coordinates, a few hundred metres apart.
            r = random.Random(code)
            lon, lat = county.lon + r.uniform(-0.008, 0.008), county.lat + r.uniform(-0.006, 0.006)
        else:
            # Other townships: a fixed point 6-22 km from the seat (approximate, for maps only).
            r = random.Random(code)
            lon = county.lon + r.choice((-1, 1)) * r.uniform(0.06, 0.22)
            lat = county.lat + r.choice((-1, 1)) * r.uniform(0.04, 0.15)
        out.append(Township(code, name, county.code, tuple(villages.split()), round(lon, 5), round(lat, 5), seat, special))
    return tuple(out)


TOWNSHIPS: tuple[Township, ...] = _townships()
TOWNSHIPS_OF: dict[str, tuple[Township, ...]] = {c.code: tuple(t for t in TOWNSHIPS if t.county == c.code) for c in COUNTIES}
_URBAN_STREETS = {
    "620802": ("西大街", "东大街", "中山街", "解放路", "崆峒大道", "柳湖路", "宝塔路", "新民路", "广成路", "泾河路", "北环路",
               "南环路", "红旗街", "东关大街", "西郊路"),
}
_STREETS = ("北大街", "南大街", "东大街", "西大街", "人民路", "建设路", "文化路", "新华路", "迎宾大道", "东环路", "西环路",
            "滨河路", "工业路", "和平路", "团结路")
_PARK_ROADS = ("纬一路", "纬二路", "纬三路", "经一路", "经二路", "园区大道", "创业路", "工业大道")


# --- people ---------------------------------------------------------------------------------------

# Common surnames, most frequent first (weights fall off), with some typical of eastern Gansu.
_SURNAMES = ("王李张刘陈杨赵马朱吴周徐孙胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
             "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤景柳慕雒寇党拓")
_SURNAME_WEIGHTS = tuple(accumulate(1 / (i + 6) for i in range(len(_SURNAMES))))
_MALE = "伟强军勇杰涛明刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林峰磊超志建国文海东亮成兵忠彬锋学武永红春生福德荣宏庆瑞"
_FEMALE = "芳娜敏静丽艳娟霞燕玲英红梅莉萍雪琳婷慧晶倩洁颖璐瑶琴蓉荣兰凤秀霞丹玉莹悦欣怡佳宁"
_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                    "156", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
                    "191", "199")
# Where people were born (ID number regions): mostly Pingliang, some elsewhere in Gansu or Shaanxi.
_BIRTH_REGIONS = (("620802", 26), ("620821", 10), ("620822", 8), ("620823", 7), ("620825", 11), ("620826", 12),
                  ("620881", 10), ("620102", 4), ("621002", 4), ("620503", 3), ("621102", 2), ("610303", 2), ("610102", 1))

# --- trade names ----------------------------------------------------------------------------------

_BRAND = "鑫盛恒泰宏达兴隆源丰华瑞祥通顺利嘉和安康永昌锦润博益合金宝天信德正新凯宇腾峰远东方诚创明辉航泓晟铭升富荣伟泽森汇众联中立成景弘佳乾坤亿万广"
_PLACE_BRANDS = ("陇东", "西部", "关山", "六盘", "紫荆", "柳湖", "龙泉", "泾河", "汭河", "陇原", "五龙", "凤凰", "太统", "皇甫",
                 "广成", "白水", "宝塔", "陇山")


# --- sectors and the kinds of enterprise in them -------------------------------------------------

@dataclass(frozen=True)
class Profile:
    key: str
    sector: str                     # dictionaries.sector
    weight: float                   # share within its sector
    industry: tuple[str, ...]       # GB/T 4754-2017 classes
    words: tuple[str, ...]          # what follows the trade name: 煤业有限责任公司, 加油站 …
    employees: tuple[int, int]
    where: str = "any"              # "urban" (mostly the county seat), "rural", "any"
    counties: tuple[tuple[str, float], ...] = ()   # overrides the sector's county weights
    townships: tuple[str, ...] = ()  # only these townships (by name)
    park: bool = False              # often in the county's industrial park
    licences: tuple[str, ...] = ()  # licence types it holds
    units: tuple[str, ...] = ()     # major hazard units it may have (hazardous chemicals)
    individual: bool = False        # 个体工商户: credit code 92…, name 经营部/零售点


_POP = tuple((c.code, c.weight) for c in COUNTIES)
_COAL_COUNTIES = (("620881", 50), ("620823", 28), ("620822", 12), ("620821", 6), ("620802", 4))
_COAL_TOWNS = ("东华镇", "安口镇", "西华镇", "策底镇", "马峡镇", "砚峡乡", "山寨乡", "上关镇", "新窑镇", "柏树镇", "黄寨镇", "邵寨镇",
               "独店镇", "朝那镇", "上良镇", "高平镇", "荔堡镇", "安国镇", "麻武乡")
_FRUIT = (("620826", 38), ("620825", 20), ("620821", 14), ("620822", 10), ("620802", 10), ("620823", 5), ("620881", 3))

SECTOR_WEIGHTS: dict[str, float] = {
    "commerce_trade": 22, "construction": 12, "light_industry": 12, "building_materials": 11, "hazardous_chemicals": 10,
    "fireworks": 7, "non_coal_mine": 6, "machinery": 5, "transport": 5, "other": 4, "coal": 3, "textile": 1.3,
    "metallurgy": 1.2, "nonferrous": 0.5,
}

PROFILES: tuple[Profile, ...] = (
    Profile("coal_mine", "coal", 80, ("B0610",), ("煤业有限责任公司", "煤业有限公司", "矿业有限责任公司"), (180, 2400), "rural",
            _COAL_COUNTIES, _COAL_TOWNS, licences=("work_safety",)),
    Profile("coal_washing", "coal", 20, ("B0610",), ("洗煤有限公司", "煤炭洗选有限公司"), (25, 120), "rural", _COAL_COUNTIES, _COAL_TOWNS),
    Profile("limestone", "non_coal_mine", 35, ("B1011",), ("矿业有限公司", "石料厂", "采石场"), (12, 90), "rural", licences=("work_safety",)),
    Profile("sand_gravel", "non_coal_mine", 45, ("B1019",), ("砂石料有限公司", "砂石厂", "建材砂石场"), (6, 40), "rural",
            licences=("work_safety",)),
    Profile("shale", "non_coal_mine", 20, ("B1019",), ("页岩矿", "粘土矿业有限公司"), (6, 30), "rural", licences=("work_safety",)),
    Profile("gas_station", "hazardous_chemicals", 42, ("F5265",), ("加油站", "石化加油站", "能源加油站"), (6, 25),
            licences=("hazchem_operation",)),
    Profile("lpg", "hazardous_chemicals", 10, ("D4512",), ("液化气有限公司", "燃气有限公司"), (10, 45),
            licences=("hazchem_operation",), units=("lpg",)),
    Profile("cng_lng", "hazardous_chemicals", 10, ("F5266", "D4511"), ("天然气有限公司", "清洁能源有限公司"), (8, 35),
            licences=("hazchem_operation",), units=("lng",)),
    Profile("oil_depot", "hazardous_chemicals", 6, ("G5941",), ("石油储运有限公司", "石化有限公司"), (15, 60), "rural",
            licences=("hazchem_operation",), units=("gasoline", "methanol_tank")),
    Profile("chemical_plant", "hazardous_chemicals", 8, ("C2614", "C2619", "C2621"), ("化工有限公司", "化工有限责任公司", "煤化工有限公司"),
            (60, 900), "rural", park=True, licences=("work_safety", "precursor_production_filing"),
            units=("methanol_tank", "methanol_synthesis", "ammonia_tank", "hydrogen", "benzene", "chlorine")),
    Profile("industrial_gas", "hazardous_chemicals", 8, ("C2619",), ("气体有限公司", "工业气体有限公司"), (12, 60), park=True,
            licences=("work_safety", "hazchem_operation"), units=("industrial_gas",)),
    Profile("hazchem_trade", "hazardous_chemicals", 16, ("F5169",), ("化工贸易有限公司", "化工产品经销部", "化工商贸有限公司"), (3, 15),
            "urban", licences=("hazchem_operation", "precursor_operation_filing")),
    Profile("fireworks_retail", "fireworks", 90, ("F5299",), ("烟花爆竹经营部", "烟花爆竹零售点", "烟花爆竹门市部"), (1, 4),
            licences=("fireworks_retail",), individual=True),
    Profile("fireworks_wholesale", "fireworks", 10, ("F5199",), ("烟花爆竹有限公司", "烟花爆竹批发有限公司"), (8, 40), "rural",
            licences=("fireworks_wholesale",)),
    Profile("cement", "building_materials", 5, ("C3011",), ("水泥有限公司", "水泥有限责任公司"), (150, 650), "rural", park=True),
    Profile("concrete", "building_materials", 30, ("C3021",), ("商砼有限公司", "混凝土有限公司", "新型建材有限公司"), (20, 90)),
    Profile("brick", "building_materials", 35, ("C3031",), ("新型建材有限公司", "砖厂", "页岩砖厂"), (12, 70), "rural"),
    Profile("stone", "building_materials", 15, ("C3032",), ("石材加工厂", "石材有限公司"), (5, 30), "rural"),
    Profile("building_other", "building_materials", 15, ("C3039",), ("建材有限公司", "建材厂"), (8, 50)),
    Profile("fruit", "light_industry", 22, ("C1373",), ("果业有限责任公司", "果品有限公司", "农产品开发有限公司"), (8, 120), "rural", _FRUIT),
    Profile("starch", "light_industry", 10, ("C1391",), ("淀粉有限公司", "薯业有限公司"), (15, 150), "rural",
            (("620825", 45), ("620826", 30), ("620881", 10), ("620802", 8), ("620822", 7))),
    Profile("meat", "light_industry", 12, ("C1353",), ("牛肉食品有限公司", "肉业有限公司", "清真食品有限公司"), (15, 200), "any",
            (("620802", 40), ("620821", 20), ("620822", 12), ("620826", 10), ("620825", 8), ("620823", 5), ("620881", 5))),
    Profile("paper_box", "light_industry", 18, ("C2231",), ("纸制品包装有限公司", "纸箱厂", "包装有限公司"), (10, 120), "any",
            (("620826", 50), ("620825", 15), ("620802", 15), ("620821", 10), ("620822", 5), ("620823", 3), ("620881", 2)), park=True),
    Profile("juice", "light_industry", 8, ("C1523",), ("果汁有限公司", "饮品有限公司"), (40, 300), "rural", _FRUIT, park=True),
    Profile("liquor", "light_industry", 8, ("C1512",), ("酒业有限公司", "酒厂"), (10, 80)),
    Profile("feed", "light_industry", 12, ("C1329",), ("饲料有限公司", "饲料加工厂"), (8, 60), "rural"),
    Profile("furniture", "light_industry", 10, ("C2110",), ("家具有限公司", "木业有限公司"), (6, 50)),
    Profile("steel_structure", "machinery", 35, ("C3311",), ("钢结构有限公司", "钢构工程有限公司"), (15, 120), park=True),
    Profile("mining_machinery", "machinery", 20, ("C3511",), ("矿山机械有限公司", "机械制造有限公司"), (20, 260), "any",
            (("620881", 40), ("620823", 25), ("620802", 25), ("620822", 10)), park=True),
    Profile("auto_parts", "machinery", 15, ("C3670",), ("汽车配件有限公司", "汽配有限公司"), (15, 150), park=True),
    Profile("general_machinery", "machinery", 30, ("C3499",), ("机械有限公司", "农机制造有限公司"), (8, 80)),
    Profile("steel_rolling", "metallurgy", 60, ("C3130",), ("钢材加工有限公司", "型钢有限公司"), (30, 300), "rural", park=True),
    Profile("ferroalloy", "metallurgy", 40, ("C3140",), ("铁合金有限公司", "冶金有限公司"), (40, 320), "rural", park=True),
    Profile("aluminium", "nonferrous", 100, ("C3252",), ("铝业有限公司", "铝材有限公司"), (20, 200), park=True),
    Profile("garment", "textile", 60, ("C1810",), ("服饰有限公司", "制衣有限公司"), (20, 260)),
    Profile("spinning", "textile", 40, ("C1711",), ("纺织有限公司", "棉业有限公司"), (30, 300), park=True),
    Profile("supermarket", "commerce_trade", 24, ("F5212",), ("超市有限公司", "购物广场有限公司", "连锁超市有限公司"), (10, 260), "urban"),
    Profile("department_store", "commerce_trade", 8, ("F5211",), ("百货有限公司", "商厦有限公司"), (40, 500), "urban"),
    Profile("hotel", "commerce_trade", 14, ("H6110",), ("大酒店有限公司", "宾馆有限公司", "酒店管理有限公司"), (10, 220), "urban"),
    Profile("restaurant", "commerce_trade", 14, ("H6210",), ("餐饮有限公司", "餐饮管理有限公司"), (6, 80), "urban"),
    Profile("cold_storage", "commerce_trade", 12, ("G5930",), ("果品冷链物流有限公司", "冷藏有限公司", "果蔬储藏有限公司"), (5, 60), "rural",
            _FRUIT),
    Profile("logistics", "commerce_trade", 12, ("G5920",), ("物流有限公司", "仓储有限公司"), (8, 120)),
    Profile("building_trade", "commerce_trade", 10, ("F5165",), ("建材商贸有限公司", "建材经销部"), (3, 20), "urban"),
    Profile("agri_supply", "commerce_trade", 6, ("F5166",), ("农资有限公司", "农资经营部"), (3, 20)),
    Profile("housing", "construction", 50, ("E4710",), ("建筑工程有限公司", "建设工程有限公司", "建筑安装工程有限公司"), (30, 800), "urban"),
    Profile("road", "construction", 15, ("E4812",), ("路桥工程有限公司", "公路工程有限公司"), (40, 500)),
    Profile("municipal", "construction", 15, ("E4813",), ("市政工程有限公司", "市政建设有限公司"), (20, 300), "urban"),
    Profile("power_install", "construction", 10, ("E4910",), ("电力安装工程有限公司", "电力工程有限公司"), (15, 150), "urban"),
    Profile("decoration", "construction", 10, ("E5011",), ("装饰工程有限公司", "装饰设计工程有限公司"), (8, 80), "urban"),
    Profile("freight", "transport", 50, ("G5431",), ("物流运输有限公司", "汽车运输有限公司", "货运有限公司"), (10, 200)),
    Profile("dangerous_goods", "transport", 20, ("G5435",), ("危险货物运输有限公司", "危货运输有限公司"), (15, 120)),
    Profile("passenger", "transport", 30, ("G5421",), ("客运有限公司", "旅游客运有限公司"), (30, 500), "urban"),
    Profile("thermal_power", "other", 10, ("D4411",), ("发电有限公司", "热电有限公司"), (150, 700), "rural", park=True),
    Profile("heating", "other", 30, ("D4430",), ("热力有限公司", "供热有限公司"), (20, 200), "urban"),
    Profile("wind", "other", 15, ("D4415",), ("风力发电有限公司", "新能源有限公司"), (8, 40), "rural"),
    Profile("solar", "other", 15, ("D4416",), ("光伏发电有限公司", "光伏科技有限公司"), (5, 30), "rural"),
    Profile("water", "other", 20, ("D4610",), ("供水有限公司", "自来水有限公司"), (20, 150), "urban"),
    Profile("sanitation", "other", 10, ("N7820",), ("环境卫生服务有限公司", "环境工程有限公司"), (20, 300), "urban"),
)
PROFILE = {p.key: p for p in PROFILES}
SECTOR_PROFILES = {s: tuple(p for p in PROFILES if p.sector == s) for s in SECTOR_WEIGHTS}
# The first seven enterprises, one per county, so every county and the main trades appear at any scale.
_FIRST = (("620802", "chemical_plant"), ("620881", "coal_mine"), ("620823", "coal_mine"), ("620821", "lpg"),
          ("620826", "paper_box"), ("620825", "limestone"), ("620822", "fireworks_retail"))

# (red, orange, yellow, blue, not yet graded) and (一级, 二级, 三级, none) by sector.
_RISK = {"coal": (8, 40, 40, 12, 0), "hazardous_chemicals": (4, 26, 45, 20, 5), "non_coal_mine": (3, 30, 47, 15, 5),
         "fireworks": (1, 10, 55, 24, 10), "building_materials": (2, 18, 45, 28, 7), "metallurgy": (3, 25, 45, 22, 5),
         "nonferrous": (3, 25, 45, 22, 5), "construction": (2, 20, 50, 20, 8), "transport": (1, 15, 50, 26, 8),
         "machinery": (1, 10, 45, 36, 8), "light_industry": (1, 8, 40, 43, 8), "textile": (0, 6, 40, 46, 8),
         "commerce_trade": (1, 6, 33, 50, 10), "other": (1, 12, 42, 37, 8)}
_STANDARD = {"coal": (25, 60, 15, 0), "hazardous_chemicals": (3, 35, 45, 17), "non_coal_mine": (0, 25, 60, 15),
             "building_materials": (3, 20, 45, 32), "metallurgy": (5, 30, 40, 25), "nonferrous": (5, 30, 40, 25),
             "machinery": (1, 15, 45, 39), "light_industry": (1, 12, 40, 47), "textile": (0, 10, 40, 50),
             "fireworks": (0, 4, 16, 80), "construction": (0, 8, 30, 62), "transport": (0, 15, 35, 50),
             "commerce_trade": (0, 5, 25, 70), "other": (5, 25, 30, 40)}
# How often hazards are found there, relative to a shop (inspection frequency × risk).
_HAZARD_RATE = {"coal": 8, "hazardous_chemicals": 3, "non_coal_mine": 3, "fireworks": 0.8, "building_materials": 2.5,
                "construction": 2.5, "metallurgy": 2.5, "nonferrous": 2, "machinery": 1.6, "light_industry": 1.4,
                "textile": 1.2, "commerce_trade": 1, "transport": 1.2, "other": 1.5}
_MAJOR_SHARE = {"coal": 0.09, "hazardous_chemicals": 0.07, "non_coal_mine": 0.06, "fireworks": 0.04, "building_materials": 0.04,
                "metallurgy": 0.04, "nonferrous": 0.03, "construction": 0.03}


# --- hidden hazards: (category, place, description, measures[, only these kinds of enterprise]) ---

_H_COMMON = (
    ("fire", "办公楼", "消火栓箱内水带缺失，部分灭火器压力不足", "补齐水带，更换失效灭火器，建立月度检查记录"),
    ("fire", "仓库", "仓库内物品堆放距灯具不足0.5米，且占用消防通道", "清理堆放物品，保持安全距离并施划通道标线"),
    ("electrical", "配电室", "配电室未配备绝缘垫和绝缘手套，门口未设挡鼠板", "配齐绝缘防护用品，加装挡鼠板"),
    ("electrical", "作业场所", "电气线路私拉乱接，部分线路绝缘层破损", "拆除私拉线路，按规范穿管敷设并更换破损线缆"),
    ("management", "安全管理", "全员安全生产责任制未覆盖全部岗位，部分岗位职责不清", "修订全员安全生产责任制并逐级签订责任书"),
    ("management", "安全管理", "年度应急演练计划未按期执行，演练记录缺失", "按计划组织综合演练，完善演练记录与评估"),
    ("management", "安全管理", "新入职员工三级安全教育培训记录不全", "组织补训，完善培训档案"),
    ("behaviour", "作业现场", "作业人员未正确佩戴劳动防护用品", "开展专项教育，现场安全员加强监督检查"),
    ("management", "安全管理", "隐患排查治理台账记录不完整，整改情况未闭环", "完善隐患排查治理台账，逐项跟踪销号"),
    ("fire", "员工宿舍", "员工宿舍内违规使用大功率电器", "收缴违规电器，加装限流保护装置"),
)
_PLANT = ("environment", "厂区道路", "厂区道路未设置限速及警示标识", "增设限速、警示标识和减速带")
_FORKLIFT = ("equipment", "特种设备", "叉车未按期进行定期检验", "联系特种设备检验机构完成检验，检验合格前停止使用")
_CERTIFICATES = ("management", "安全管理", "特种作业人员证书过期未复审", "安排复审，复审合格前调离特种作业岗位")
_TANKS = ("lpg", "cng_lng", "oil_depot", "chemical_plant", "industrial_gas", "gas_station")
_H_SECTOR: dict[str, tuple[tuple, tuple]] = {
    "coal": ((
        _CERTIFICATES,
        ("environment", "综采工作面回风隅角", "回风隅角瓦斯浓度达到0.9%，接近报警值", "调整工作面风量，加强隅角瓦斯抽采和巡检", ("coal_mine",)),
        ("equipment", "综采工作面", "液压支架部分立柱漏液，初撑力达不到规定值", "更换立柱密封件并逐架检测初撑力", ("coal_mine",)),
        ("equipment", "主运输大巷", "带式输送机跑偏、堆煤保护装置失效", "修复保护装置并试验，建立每班检查制度", ("coal_mine",)),
        ("electrical", "井下中央变电所", "高压开关柜漏电保护装置未按期试验", "完成漏电保护试验并建立试验台账", ("coal_mine",)),
        ("environment", "掘进工作面", "局部通风机未实现双风机、双电源自动切换", "加装自动切换装置并进行切换试验", ("coal_mine",)),
        ("management", "调度室", "安全监控系统甲烷传感器未按规定周期调校", "按规定周期调校传感器并做好记录", ("coal_mine",)),
        ("behaviour", "井下作业地点", "作业人员未随身携带自救器入井", "严格入井检身制度，对违章人员进行处理和培训", ("coal_mine",)),
        ("environment", "采空区密闭", "采空区密闭墙出现裂隙，存在漏风", "对密闭墙喷浆封堵并定期检测气体", ("coal_mine",)),
        ("equipment", "副井提升系统", "提升绞车过卷保护装置动作不可靠", "调整并试验过卷保护装置", ("coal_mine",)),
        ("environment", "运输巷道", "巷道底鼓变形，有效断面不足", "组织起底扩修，恢复设计断面", ("coal_mine",)),
        ("environment", "综采工作面", "防尘喷雾装置不能正常使用，巷帮煤尘堆积", "修复喷雾装置，清理积尘", ("coal_mine",)),
        ("management", "掘进工作面", "未严格执行“有掘必探”制度", "补充探放水设计并严格执行", ("coal_mine",)),
        ("equipment", "洗煤车间", "跳汰机传动部位防护罩缺失", "加装防护罩", ("coal_washing",)),
        ("environment", "储煤场", "储煤场未设置防风抑尘网，煤堆自燃监测缺失", "建设防风抑尘网，定期测温", ("coal_washing",)),
        ("equipment", "浓缩池", "浓缩池周边防护栏杆锈蚀损坏", "更换防护栏杆", ("coal_washing",)),
    ), (
        ("management", "井下采区", "煤矿超能力生产，月产量超过核定生产能力的10%", "按核定能力组织生产，调整采掘接续计划", ("coal_mine",)),
        ("environment", "采区", "高瓦斯区域未按规定建立并运行瓦斯抽采系统", "完善瓦斯抽采系统，抽采达标前停止采掘作业", ("coal_mine",)),
        ("environment", "掘进工作面", "水文地质条件复杂区域未按规定开展探放水作业", "停止掘进，编制探放水设计并配备专用探放水设备", ("coal_mine",)),
        ("equipment", "井下", "使用国家明令禁止使用的淘汰设备", "拆除淘汰设备，更换为合格设备", ("coal_mine",)),
    )),
    "non_coal_mine": ((
        _CERTIFICATES, _PLANT,
        ("environment", "采场边坡", "采场台阶坡面存在浮石，未及时清理", "组织专人清理浮石并设置警戒"),
        ("management", "采场", "未按设计分台阶开采，台阶高度超过设计值", "按设计重新规划台阶并整改"),
        ("environment", "排土场", "排土场未设置截排水设施", "修建截排水沟"),
        ("equipment", "破碎车间", "破碎机传动皮带防护罩缺失", "加装防护罩"),
        ("management", "爆破器材库", "爆破器材领退记录不完整", "完善领退登记制度，专人管理", ("limestone",)),
        ("environment", "运输道路", "矿区运输道路临边路段未设置挡车墙", "在临边路段修筑挡车墙"),
        ("behaviour", "采场", "铲装作业时人员进入设备作业半径", "划定警戒区，加强现场监护"),
    ), (
        ("environment", "露天采场", "露天采场边坡出现滑移迹象，未采取有效措施", "停止坡下作业，开展边坡稳定性评价并削坡治理"),
        ("management", "采场", "未按设计开采，形成高陡边坡", "停产整改，按设计恢复台阶"),
    )),
    "hazardous_chemicals": ((
        ("equipment", "储罐区", "可燃气体检测报警器未按期检定", "委托检测机构完成检定并建立台账", _TANKS),
        ("equipment", "储罐区", "储罐安全阀超期未校验", "拆卸校验安全阀，校验期间采取备用阀措施", _TANKS),
        ("equipment", "装卸区", "装卸区静电接地报警装置失效", "更换静电接地报警器并测试", _TANKS),
        ("environment", "防火堤", "防火堤内存在油污和杂物，局部有裂缝", "清理防火堤内杂物，修补防火堤裂缝", ("oil_depot", "chemical_plant")),
        ("equipment", "加油区", "加油机防爆接线盒密封不良", "更换密封件，恢复防爆性能", ("gas_station",)),
        ("equipment", "卸油口", "卸油油气回收装置损坏", "维修油气回收装置", ("gas_station", "oil_depot")),
        ("management", "生产装置", "联锁保护系统摘除未履行审批手续", "恢复联锁，完善联锁摘除审批制度", ("chemical_plant", "industrial_gas", "lpg", "cng_lng")),
        ("behaviour", "检修现场", "动火作业未办理特殊作业票证", "停止作业，补办作业票证并加强监护", _TANKS),
        ("management", "应急管理", "事故应急池容积不满足要求", "扩建事故应急池", ("chemical_plant", "oil_depot")),
        ("environment", "罐区", "罐区内使用非防爆电器", "更换为防爆型电器", _TANKS),
        ("management", "经营场所", "危险化学品购销台账记录不全", "完善购销台账，如实记录流向", ("hazchem_trade",)),
        ("environment", "经营场所", "不带储存经营单位在经营场所违规存放危险化学品", "清退现场存放的危险化学品", ("hazchem_trade",)),
        ("management", "安全管理", "危险化学品安全技术说明书和安全标签不全", "向供货方索取并补齐", ("hazchem_trade",)),
    ), (
        ("equipment", "生产装置", "涉及重点监管危险化工工艺的装置未实现自动化控制", "完成自动化控制改造，改造完成前停止运行", ("chemical_plant",)),
        ("equipment", "液化烃储罐区", "液化烃储罐未设置紧急切断装置", "加装紧急切断阀并接入安全仪表系统", ("lpg", "chemical_plant")),
        ("management", "生产装置", "未按规定设置独立的安全仪表系统", "设计并安装独立安全仪表系统", ("chemical_plant", "industrial_gas")),
        ("environment", "控制室", "控制室面向具有火灾爆炸危险性装置一侧不满足抗爆要求", "实施抗爆改造或迁移控制室", ("chemical_plant",)),
    )),
    "fireworks": ((
        ("management", "零售点", "零售点超量储存烟花爆竹", "清退超量产品，按许可限量储存", ("fireworks_retail",)),
        ("fire", "零售点", "零售点未配备灭火器材", "配备足量灭火器", ("fireworks_retail",)),
        ("environment", "零售点", "零售点与居民住宅未保持规定安全距离", "调整经营场所", ("fireworks_retail",)),
        ("behaviour", "零售点", "店内吸烟并使用明火取暖", "张贴禁火标志，撤除明火取暖设施", ("fireworks_retail",)),
        ("management", "仓库", "仓库出入库登记台账不完整", "完善出入库登记", ("fireworks_wholesale",)),
        ("equipment", "仓库", "仓库防雷设施未按期检测", "委托检测防雷设施", ("fireworks_wholesale",)),
    ), (
        ("environment", "零售点", "烟花爆竹零售点与居民居住场所设置在同一建筑物内", "停止经营，另行选址", ("fireworks_retail",)),
        ("management", "批发仓库", "批发仓库超量储存，且混存不同危险等级产品", "清理超量产品，分类分库存放", ("fireworks_wholesale",)),
    )),
    "building_materials": ((
        _PLANT, _FORKLIFT, _CERTIFICATES,
        ("equipment", "回转窑窑头平台", "窑头平台护栏缺失", "加装防护栏杆", ("cement",)),
        ("equipment", "皮带廊", "皮带机尾轮防护罩缺失，急停拉绳失效", "加装防护罩，修复急停拉绳"),
        ("environment", "粉磨车间", "粉磨车间粉尘浓度超标", "检修除尘设备，加强通风", ("cement",)),
        ("management", "煤粉仓", "有限空间未设置安全警示标识，未建立有限空间台账", "设置警示标识，建立台账", ("cement",)),
        ("equipment", "搅拌站料仓", "料仓顶部作业平台无防坠措施", "加装护栏和安全绳挂点", ("concrete",)),
        ("equipment", "制砖车间", "切坯机安全防护装置失效", "修复防护装置", ("brick",)),
        ("environment", "隧道窑", "隧道窑窑顶作业通道狭窄且无照明", "拓宽通道并加装照明", ("brick",)),
        ("equipment", "石材切割车间", "石材切割机锯片防护罩缺失", "加装防护罩", ("stone",)),
        ("environment", "石材切割车间", "湿式作业设施损坏，粉尘浓度高", "修复湿式作业设施", ("stone",)),
    ), (
        ("equipment", "煤磨", "煤磨袋式收尘器未设置温度和一氧化碳监测及气体灭火装置", "加装温度和一氧化碳监测及气体灭火装置", ("cement",)),
        ("management", "筒型储库", "进入筒型储库等有限空间清库作业未执行审批和监护", "制定清库方案，执行有限空间作业审批", ("cement", "concrete")),
    )),
    "construction": ((
        _CERTIFICATES,
        ("equipment", "脚手架", "脚手架连墙件设置数量不足", "按方案补设连墙件"),
        ("equipment", "塔式起重机", "塔吊起重力矩限制器失灵", "维修限位装置并经检测合格"),
        ("environment", "基坑", "基坑临边未设置防护栏杆", "设置临边防护栏杆和警示标识"),
        ("electrical", "施工现场", "临时用电未做到“一机一闸一漏”", "整改配电箱，做到一机一闸一漏"),
        ("behaviour", "高处作业面", "高处作业人员未系挂安全带", "停止作业，教育整改"),
        ("environment", "楼层临边", "楼层预留洞口未封闭防护", "加盖盖板并设置警示"),
        ("management", "施工现场", "危大工程专项施工方案未经审批", "完成方案审批，审批前不得施工"),
    ), (
        ("management", "深基坑", "超过一定规模的危险性较大的分部分项工程未按规定组织专家论证", "编制专项方案并组织专家论证"),
        ("equipment", "塔式起重机", "建筑起重机械安全装置失效且未经检验投入使用", "停止使用，经检验合格后方可使用"),
    )),
    "commerce_trade": ((
        ("fire", "安全出口", "营业期间安全出口上锁", "打开安全出口，落实营业期间巡查", ("supermarket", "department_store", "hotel", "restaurant")),
        ("fire", "疏散通道", "疏散通道堆放商品杂物", "清理通道，设置禁止堆放标识"),
        ("fire", "营业场所", "应急照明灯及疏散指示标志损坏", "更换损坏的应急照明和疏散指示", ("supermarket", "department_store", "hotel", "restaurant")),
        ("equipment", "后厨", "燃气管道未安装可燃气体泄漏报警装置", "安装报警装置并与切断阀联动", ("hotel", "restaurant")),
        ("environment", "冷库", "冷库门内未设置应急开门装置", "加装内开门装置和报警按钮", ("cold_storage", "supermarket")),
        ("equipment", "冷库机房", "氨制冷机房事故排风机不能正常运行", "修复事故排风机并定期试验", ("cold_storage",)),
        ("fire", "仓库", "电动叉车在仓库内充电", "设置专用充电区", ("logistics", "cold_storage", "supermarket")),
        _FORKLIFT,
    ), (
        ("fire", "营业场所", "人员密集场所安全出口数量不足", "增设安全出口，拆除封堵设施", ("supermarket", "department_store", "hotel")),
        ("equipment", "冷库", "涉氨制冷设备不具备氨泄漏报警和紧急切断功能", "加装氨泄漏报警和紧急切断装置", ("cold_storage",)),
    )),
    "light_industry": ((
        _PLANT, _FORKLIFT,
        ("environment", "印刷车间", "纸箱印刷车间粉尘和纸屑堆积", "定期清扫并完善除尘设施", ("paper_box",)),
        ("equipment", "锅炉房", "锅炉水位计模糊不清", "更换水位计"),
        ("management", "污水池", "有限空间作业未执行“先通风、再检测、后作业”", "完善作业审批，配备检测仪器",
         ("meat", "starch", "juice", "liquor", "fruit")),
        ("equipment", "生产线", "机械传动部位防护罩缺失", "加装防护罩"),
        ("environment", "淀粉车间", "淀粉车间粉尘清扫制度未落实", "建立清扫制度和记录", ("starch",)),
        ("equipment", "屠宰车间", "屠宰线急停装置失效", "修复急停装置", ("meat",)),
        ("equipment", "果品分选线", "分选线链条外露无防护", "加装防护", ("fruit", "juice")),
        ("environment", "木工车间", "木工车间粉尘清扫不及时", "落实每班清扫", ("furniture",)),
        ("environment", "粉碎车间", "粉碎机除尘设施失效", "维修除尘设施", ("feed",)),
        ("fire", "酒库", "酒库未设置可燃气体报警装置", "加装报警装置", ("liquor",)),
    ), (
        ("equipment", "除尘系统", "粉尘爆炸危险场所除尘系统未按规定采取防爆措施", "加装泄爆和隔爆装置", ("starch", "feed", "furniture")),
        ("management", "有限空间", "有限空间作业未按规定进行辨识、未设置警示标识", "开展辨识，建立台账并设置标识",
         ("meat", "starch", "juice", "liquor", "fruit")),
    )),
    "machinery": ((
        _PLANT, _FORKLIFT, _CERTIFICATES,
        ("equipment", "冲压车间", "冲床双手操作按钮失效", "修复并试验双手操作装置", ("general_machinery", "auto_parts")),
        ("equipment", "行车", "桥式起重机钢丝绳断丝超标", "更换钢丝绳", ("steel_structure", "mining_machinery", "general_machinery")),
        ("environment", "焊接区", "焊接作业区域通风不良", "加装通风排烟设施"),
        ("equipment", "机加工车间", "砂轮机防护罩缺失", "加装防护罩和挡屑板"),
        ("equipment", "喷漆房", "喷漆房电气设备非防爆型", "更换为防爆电气", ("steel_structure", "auto_parts", "mining_machinery")),
    ), (
        ("equipment", "涂装车间", "喷涂作业场所未按规定设置通风和可燃气体报警装置", "加装通风和报警装置", ("steel_structure", "auto_parts")),
    )),
    "metallurgy": ((
        _PLANT, _FORKLIFT, _CERTIFICATES,
        ("environment", "煤气区域", "煤气区域作业人员未配备便携式一氧化碳报警仪", "配备报警仪并培训"),
        ("equipment", "熔炼车间", "吊运熔融金属的起重机不符合冶金起重机要求", "更换为冶金铸造起重机"),
        ("environment", "炉前", "炉前作业区域存在积水", "清理积水并采取防水措施"),
    ), (
        ("equipment", "熔炼炉", "熔融金属吊运区域下方设置有休息室", "撤除人员聚集场所"),
    )),
    "textile": ((
        _PLANT, _FORKLIFT,
        ("fire", "棉花仓库", "棉花仓库电气线路未穿管保护", "线路穿金属管保护", ("spinning",)),
        ("equipment", "生产线", "机械传动部位防护罩缺失", "加装防护罩"),
        ("environment", "裁剪车间", "裁剪车间布屑堆积，未及时清理", "落实每班清扫", ("garment",)),
    ), ()),
    "transport": ((
        _CERTIFICATES,
        ("management", "车辆监控", "部分营运车辆动态监控不在线", "修复车载终端，落实监控值守"),
        ("behaviour", "驾驶员", "驾驶员连续驾驶超过4小时未停车休息", "加强动态监控提醒与处理"),
        ("equipment", "危险货物运输车辆", "危险货物运输车辆未配备应急处置器材", "配齐应急器材", ("dangerous_goods",)),
        ("equipment", "停车场", "停车场消防设施不足", "增设灭火器和消火栓"),
    ), (
        ("management", "危险货物运输", "危险货物运输车辆驾驶人员无从业资格证", "调离岗位，组织培训考核", ("dangerous_goods",)),
    )),
    "other": ((
        _CERTIFICATES,
        ("equipment", "锅炉房", "锅炉安全阀未按期校验", "校验安全阀", ("thermal_power", "heating")),
        ("environment", "加氯间", "加氯间泄漏报警装置失灵", "维修泄漏报警装置", ("water",)),
        ("electrical", "升压站", "升压站接地电阻测试超期", "完成接地电阻测试", ("wind", "solar", "thermal_power")),
        ("equipment", "输煤廊道", "输煤皮带拉绳开关失效", "修复拉绳开关", ("thermal_power", "heating")),
        ("behaviour", "道路清扫作业", "道路清扫作业人员未穿反光背心", "配发反光背心并加强检查", ("sanitation",)),
    ), (
        ("equipment", "加氯间", "液氯储存场所未设置泄漏吸收装置", "加装泄漏吸收装置", ("water",)),
    )),
}
_H_SECTOR["nonferrous"] = _H_SECTOR["metallurgy"]
_VERIFY_OPINIONS = ("整改措施落实到位，经现场复查验收合格，同意销号", "经复查，隐患已消除，资料齐全，同意销号",
                    "整改符合要求，验收合格", "现场核查整改到位，验收通过")
_PLAN_MATERIALS = {"coal": "瓦斯抽采钻机、封孔材料、甲烷传感器及支护材料", "hazardous_chemicals": "紧急切断阀、安全仪表系统控制器、可燃气体探测器",
                   "non_coal_mine": "挖掘机、边坡监测仪器、警示标识", "construction": "支护材料、监测仪器、安全防护用品"}


# --- major hazard units: (unit type, unit name, chemicals, population range, tank height m) ------
# chemicals: (CAS, name, hazard category for β or None, q min t, q max t); the first alone has S ≥ 1.1.

THRESHOLDS_T = {"68476-85-7": Decimal("50"), "74-82-8": Decimal("50"), "86290-81-5": Decimal("200"), "67-56-1": Decimal("500"),
                "1333-74-0": Decimal("5"), "7664-41-7": Decimal("10"), "71-43-2": Decimal("50"), "108-88-3": Decimal("500"),
                "7782-50-5": Decimal("5"), "74-86-2": Decimal("1"), "7782-44-7": Decimal("200")}  # GB 18218-2018 表1
_UNITS = {
    "lpg": ("storage", "液化石油气储罐区", (("68476-85-7", "液化石油气", "W2", 60, 420),), (50, 2500), "flammable_gas"),
    "lng": ("storage", "LNG储罐区", (("74-82-8", "天然气（液化）", "W2", 56, 260),), (10, 1500), "flammable_gas"),
    "gasoline": ("storage", "成品油储罐区", (("86290-81-5", "汽油", "W5.1", 240, 3200),), (0, 600), "flammable_liquid"),
    "methanol_tank": ("storage", "甲醇储罐区", (("67-56-1", "甲醇", None, 600, 9000),), (0, 300), "flammable_liquid"),
    "methanol_synthesis": ("production", "甲醇合成装置", (("67-56-1", "甲醇", None, 560, 900), ("1333-74-0", "氢", "W2", 0.5, 3)),
                           (0, 200), "flammable_gas"),
    "ammonia_tank": ("storage", "液氨储罐区", (("7664-41-7", "液氨", None, 12, 160),), (0, 400), "toxic_gas"),
    "hydrogen": ("production", "制氢装置", (("1333-74-0", "氢", "W2", 5.6, 20),), (0, 200), "flammable_gas"),
    "benzene": ("storage", "苯类储罐区", (("71-43-2", "苯", None, 56, 400), ("108-88-3", "甲苯", None, 60, 900)), (0, 300),
                "flammable_liquid"),
    "chlorine": ("storage", "液氯储存间", (("7782-50-5", "液氯", None, 6, 30),), (0, 500), "toxic_gas"),
    "industrial_gas": ("storage", "溶解乙炔及液氧储存区", (("74-86-2", "乙炔", "W2", 1.2, 5), ("7782-44-7", "液氧", None, 20, 150)),
                       (20, 1200), "flammable_gas"),
}
# monitoring points by what is stored: (quantity, unit, low_low, low, high, high_high, tag)
_POINTS = {
    "flammable_gas": (("level", "m", 0.5, 1.0, None, None, "LT"), ("pressure", "MPa", None, 0.1, 1.5, 1.6, "PT"),
                      ("temperature", "℃", None, None, 40.0, 50.0, "TT"), ("combustible_gas", "%LEL", None, None, 20.0, 40.0, "AT")),
    "flammable_liquid": (("level", "m", 0.5, 1.0, None, None, "LT"), ("temperature", "℃", None, None, 35.0, 45.0, "TT"),
                         ("combustible_gas", "%LEL", None, None, 20.0, 40.0, "AT")),
    "toxic_gas": (("level", "m", 0.3, 0.6, None, None, "LT"), ("pressure", "MPa", None, 0.2, 1.6, 1.8, "PT"),
                  ("toxic_gas", "ppm", None, None, 0.3, 0.6, "AT")),
}
# every major hazard source's points also have an emergency shut-off valve
_SWITCHES = (("emergency_shutoff", "XV"),)
# the gas a toxic-gas detector watches, by the unit's first chemical
_TOXIC_GAS = {"7782-50-5": "氯气", "7664-41-7": "氨", "7783-06-4": "硫化氢"}
# a coal mine's safety monitoring (KJ system): (quantity, unit, coal location, zone, location, high, high_high, tag)
_COAL_POINTS = (
    ("methane", "%CH4", "working_face", "1302综采工作面", "1302综采工作面", None, None, "T0"),
    ("methane", "%CH4", "upper_corner", "1302综采工作面", "1302工作面上隅角", None, None, "T1"),
    ("methane", "%CH4", "return_airway", "1302综采工作面", "1302回风巷", None, None, "T2"),
    ("methane", "%CH4", "machine_mounted", "1302综采工作面", "1302采煤机机载", None, None, "TJ"),
    ("methane", "%CH4", "working_face", "2205掘进工作面", "2205掘进工作面", None, None, "T3"),
    ("methane", "%CH4", "intake_airway", "2205掘进工作面", "2205进风巷", None, None, "T4"),
    ("carbon_monoxide", "ppm", None, None, "1302回风巷", 24.0, 50.0, "CO"),
    ("oxygen", "%VOL", None, None, "1302回风巷", None, None, "O2"),
    ("wind_speed", "m/s", None, None, "1302回风巷", 6.0, 8.0, "FS"),
)
_COAL_FEEDS = ("1302综采工作面", "2205掘进工作面")
_INTERVALS = {"combustible_gas": 10, "toxic_gas": 10, "methane": 10, "carbon_monoxide": 10, "oxygen": 10, "switch": 10,
              "wind_speed": 30, "level": 30, "pressure": 30, "temperature": 30, "flow": 30}


# --- accidents: (sector, type, category, place, what, how, cause[, only these kinds of enterprise]) ---

_A = (
    ("coal", "roof_fall", "production", "综采工作面", "冒顶片帮", "推进过程中发生局部冒顶", "顶板破碎、支护不及时，作业人员进入空顶区域作业", ("coal_mine",)),
    ("coal", "gas_explosion", "production", "掘进工作面", "瓦斯爆炸", "发生瓦斯爆炸", "局部通风机停风后未及时撤人，瓦斯积聚，遇电气失爆火花引起爆炸",
     ("coal_mine",)),
    ("coal", "water_inrush", "production", "掘进工作面", "透水", "掘进时揭露老空积水，发生透水", "未严格执行探放水制度，对老空水情况掌握不清", ("coal_mine",)),
    ("coal", "vehicle", "production", "井下运输大巷", "运输", "无极绳绞车运行中发生车辆伤害", "作业人员违章横跨运行中的钢丝绳，信号联络不畅", ("coal_mine",)),
    ("coal", "machinery", "production", "带式输送机机头", "机械伤害", "检修时发生机械伤害", "检修时未停机闭锁、未挂牌"),
    ("non_coal_mine", "collapse", "production", "采场边坡", "边坡坍塌", "局部坍塌", "边坡角过陡，连续降雨后边坡失稳"),
    ("non_coal_mine", "blasting", "production", "爆破作业点", "放炮", "爆破时飞石伤人", "警戒距离不足，人员未撤至安全地点", ("limestone",)),
    ("non_coal_mine", "vehicle", "production", "矿区运输道路", "车辆伤害", "一辆自卸车下坡时失控翻车", "车辆制动失效，驾驶员处置不当"),
    ("hazardous_chemicals", "poisoning_asphyxia", "production", "储罐检修现场", "中毒窒息", "作业人员进入储罐清罐时发生中毒窒息",
     "有限空间作业前未进行通风和气体检测，盲目施救导致伤亡扩大", ("oil_depot", "chemical_plant")),
    ("hazardous_chemicals", "fire", "production", "装卸区", "火灾", "卸车过程中发生火灾", "卸车时未连接静电接地，静电火花引燃油气",
     ("gas_station", "oil_depot", "chemical_plant", "lpg")),
    ("hazardous_chemicals", "vessel_explosion", "production", "压缩机房", "容器爆炸", "储气设备发生物理爆炸", "安全阀失效，设备超压运行",
     ("cng_lng", "industrial_gas", "chemical_plant")),
    ("construction", "fall_from_height", "production", "主体结构施工作业面", "高处坠落", "一名作业人员从作业面坠落", "作业人员未系安全带，临边防护缺失"),
    ("construction", "collapse", "production", "基坑", "基坑坍塌", "侧壁局部坍塌", "基坑未按方案放坡和支护，坑边堆载过大"),
    ("construction", "object_strike", "production", "施工现场", "物体打击", "高处坠落的扣件击中下方作业人员", "交叉作业未设置隔离防护"),
    ("construction", "lifting", "production", "塔吊作业区", "起重伤害", "塔吊吊运钢筋时吊物坠落", "吊索具捆绑不牢，起重作业区未设警戒"),
    ("construction", "electric_shock", "production", "施工现场", "触电", "一名作业人员触碰破损电缆触电", "临时用电线路绝缘破损，未安装漏电保护器"),
    ("building_materials", "machinery", "production", "皮带输送机", "机械伤害", "清理滚筒积料时作业人员被卷入", "设备未停机、未设置防护罩"),
    ("building_materials", "poisoning_asphyxia", "production", "煤粉仓", "中毒窒息", "清理作业时发生中毒窒息", "有限空间作业未检测一氧化碳浓度", ("cement",)),
    ("building_materials", "collapse", "production", "料仓", "坍塌", "清库作业时仓壁积料坍塌", "清库作业未执行由上而下的作业方法", ("cement", "concrete")),
    ("commerce_trade", "fire", "fire", "仓库", "火灾", "发生火灾", "电气线路短路引燃周边可燃物"),
    ("commerce_trade", "fall_from_height", "production", "理货区", "高处坠落", "一名理货人员从货架坠落", "登高作业未使用安全梯",
     ("supermarket", "department_store", "logistics", "building_trade")),
    ("commerce_trade", "poisoning_asphyxia", "production", "冷库机房", "氨泄漏", "发生氨泄漏", "阀门密封失效，泄漏报警装置失灵", ("cold_storage",)),
    ("light_industry", "machinery", "production", "生产线", "机械伤害", "一名操作工被卷入设备传动部位", "设备传动部位防护罩缺失"),
    ("light_industry", "poisoning_asphyxia", "production", "污水池", "中毒窒息", "清理作业时发生硫化氢中毒", "有限空间作业未检测、未通风",
     ("meat", "starch", "juice", "liquor", "fruit")),
    ("light_industry", "scald_burn", "production", "锅炉房", "灼烫", "检修蒸汽管道时作业人员被高温蒸汽烫伤", "检修前未泄压、未隔离"),
    ("machinery", "lifting", "production", "装配车间", "起重伤害", "行车吊运工件时工件坠落", "吊具选用不当，钢丝绳断丝超标"),
    ("machinery", "machinery", "production", "冲压车间", "机械伤害", "冲床作业时发生机械伤害", "冲床安全装置失效", ("general_machinery", "auto_parts")),
    ("metallurgy", "scald_burn", "production", "熔炼车间", "灼烫", "出炉时熔融金属喷溅", "炉前有积水，熔融金属遇水喷溅"),
    ("transport", "vehicle", "road_traffic", "", "道路交通", "与对向车辆碰撞", "驾驶员疲劳驾驶，占道行驶"),
    ("fireworks", "fire", "fire", "零售点", "火灾", "发生火灾", "店内违规使用电暖器引燃包装物", ("fireworks_retail",)),
    ("other", "electric_shock", "production", "配电室", "触电", "一名检修人员触电", "未执行停电、验电、挂接地线制度"),
    ("textile", "machinery", "production", "生产车间", "机械伤害", "一名挡车工被卷入设备", "违章在设备运转时清理"),
    ("nonferrous", "scald_burn", "production", "熔铸车间", "灼烫", "流槽堵塞，铝液外溢", "流槽维护不到位，现场无挡护措施"),
)


# --- emergency supplies: (category, name, specification, unit, initial stock range, shelf life months, where) ---
# where: gov (government stores), all, ent (enterprise stores), mine (coal), chem (hazardous chemicals), city (city and county)

_SUPPLIES = (
    ("shelter", "救灾帐篷", "12平方米单帐篷", "顶", (50, 600), None, "gov"),
    ("shelter", "棉被", "1.5米×2米", "床", (200, 3000), None, "gov"),
    ("shelter", "折叠床", "单人钢木折叠床", "张", (100, 1500), None, "gov"),
    ("shelter", "棉大衣", "军绿色", "件", (100, 2000), None, "gov"),
    ("shelter", "方便食品", "自热米饭", "箱", (50, 600), 12, "gov"),
    ("shelter", "瓶装饮用水", "550毫升×24瓶", "箱", (100, 1200), 18, "gov"),
    ("life_rescue", "救生衣", "成人式，浮力不小于113牛", "件", (50, 500), None, "gov"),
    ("life_rescue", "救生圈", "2.5千克", "个", (20, 200), None, "gov"),
    ("life_rescue", "雷达生命探测仪", "便携式", "台", (1, 6), None, "city"),
    ("life_rescue", "担架", "铝合金折叠担架", "副", (10, 100), None, "all"),
    ("life_support", "急救药品箱", "综合型", "箱", (10, 120), 24, "all"),
    ("life_support", "医用氧气瓶", "40升", "瓶", (10, 80), None, "all"),
    ("rescue_transport", "冲锋舟", "6人橡皮艇，配40马力舷外机", "艘", (2, 20), None, "gov"),
    ("protection", "正压式空气呼吸器", "6.8升碳纤维气瓶", "套", (4, 40), None, "ent"),
    ("protection", "隔绝式压缩氧自救器", "ZYX45", "台", (50, 600), 60, "mine"),
    ("protection", "重型防化服", "全封闭式", "套", (4, 30), None, "chem"),
    ("protection", "安全帽", "ABS材质", "顶", (100, 1000), None, "all"),
    ("protection", "防护手套", "防割耐磨", "副", (200, 2000), None, "all"),
    ("decontamination", "吸油毡", "PP-2型", "千克", (100, 1000), None, "chem"),
    ("decontamination", "消毒液", "84消毒液，5升装", "桶", (50, 500), 24, "gov"),
    ("power_fuel", "柴油发电机组", "30千瓦", "台", (2, 12), None, "all"),
    ("power_fuel", "柴油", "0号", "升", (500, 5000), None, "gov"),
    ("engineering_equipment", "挖掘机", "斗容1立方米", "台", (1, 4), None, "city"),
    ("engineering_equipment", "大流量排水泵", "300立方米/小时", "台", (2, 20), None, "gov"),
    ("tools", "液压破拆工具组", "剪扩钳、顶杆", "套", (1, 10), None, "city"),
    ("tools", "油锯", "2.2千瓦", "台", (5, 40), None, "gov"),
    ("tools", "干粉灭火器", "MFZ/ABC4", "具", (50, 600), 60, "all"),
    ("tools", "风力灭火机", "背负式", "台", (10, 120), None, "gov"),
    ("lighting", "移动照明灯塔", "4×500瓦", "台", (2, 20), None, "gov"),
    ("lighting", "防爆强光手电", "防爆型", "支", (20, 300), None, "all"),
    ("communication", "卫星电话", "海事卫星", "部", (2, 10), None, "city"),
    ("communication", "防爆对讲机", "数字对讲机", "部", (10, 100), None, "all"),
    ("transport", "应急指挥车", "越野型", "辆", (1, 3), None, "city"),
    ("engineering_materials", "编织袋", "50厘米×80厘米", "条", (5000, 50000), None, "gov"),
    ("engineering_materials", "防汛块石", "粒径30厘米以上", "立方米", (100, 2000), None, "gov"),
    ("engineering_materials", "土工布", "300克/平方米", "平方米", (1000, 20000), None, "gov"),
    ("engineering_materials", "彩条布", "4米×6米", "块", (200, 3000), None, "gov"),
)
_MOVE_REASONS = {"in": ("年度应急物资采购入库", "上级调拨入库", "补充储备入库", "社会捐赠入库"),
                 "out": ("防汛抢险调用出库", "森林草原火灾扑救调用", "支援受灾乡镇调拨", "生产安全事故救援调用", "应急演练领用"),
                 "adjust_down": ("盘点盘亏", "过期报废", "损坏报废"), "adjust_up": ("盘点盘盈",)}
_MOVE_DOC = {"in": "RK", "out": "CK", "adjust_down": "PK", "adjust_up": "PY"}


# --- laws: (title, number, authority, level, issued, effective, repealed, keywords, excerpt) --------

_LAWS = (
    ("中华人民共和国安全生产法", "中华人民共和国主席令第八十八号", "全国人民代表大会常务委员会", "law", "2021-06-10", "2021-09-01", None,
     ("安全生产", "主体责任", "三管三必须"),
     "第一条　为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，促进经济社会持续健康发展，制定本法。"),
    ("中华人民共和国突发事件应对法", "中华人民共和国主席令第二十五号", "全国人民代表大会常务委员会", "law", "2024-06-28", "2024-11-01", None,
     ("突发事件", "应急管理", "预警"), None),
    ("中华人民共和国消防法", "中华人民共和国主席令第八十一号", "全国人民代表大会常务委员会", "law", "2021-04-29", "2021-04-29", None,
     ("消防", "火灾预防"), None),
    ("中华人民共和国矿山安全法", "中华人民共和国主席令第六十五号", "全国人民代表大会常务委员会", "law", "1992-11-07", "1993-05-01", None,
     ("矿山", "矿山安全"), None),
    ("生产安全事故报告和调查处理条例", "国务院令第493号", "国务院", "administrative_regulation", "2007-04-09", "2007-06-01", None,
     ("事故报告", "事故调查", "事故等级"),
     "第一条　为了规范生产安全事故的报告和调查处理，落实生产安全事故责任追究制度，防止和减少生产安全事故，根据《中华人民共和国安全生产法》和有关法律，制定本条例。"),
    ("安全生产许可证条例", "国务院令第397号", "国务院", "administrative_regulation", "2004-01-13", "2004-01-13", None,
     ("安全生产许可", "许可证"),
     "第一条　为了严格规范安全生产条件，进一步加强安全生产监督管理，防止和减少生产安全事故，根据《中华人民共和国安全生产法》的有关规定，制定本条例。"),
    ("危险化学品安全管理条例", "国务院令第591号", "国务院", "administrative_regulation", "2011-03-02", "2011-12-01", None,
     ("危险化学品", "经营许可"), None),
    ("烟花爆竹安全管理条例", "国务院令第455号", "国务院", "administrative_regulation", "2006-01-21", "2006-01-21", None,
     ("烟花爆竹", "经营许可"), None),
    ("煤矿安全生产条例", "国务院令第774号", "国务院", "administrative_regulation", "2024-01-24", "2024-05-01", None,
     ("煤矿", "重大事故隐患"), None),
    ("煤矿安全监察条例", "国务院令第296号", "国务院", "administrative_regulation", "2000-11-07", "2000-12-01", "2024-05-01",
     ("煤矿", "安全监察"), None),
    ("生产安全事故应急条例", "国务院令第708号", "国务院", "administrative_regulation", "2019-02-17", "2019-04-01", None,
     ("应急救援", "应急预案"), None),
    ("安全生产事故隐患排查治理暂行规定", "国家安全生产监督管理总局令第16号", "国家安全生产监督管理总局", "departmental_rule",
     "2007-12-28", "2008-02-01", None, ("隐患排查", "重大事故隐患", "挂牌督办"),
     "第一条　为了建立安全生产事故隐患排查治理长效机制，强化安全生产主体责任，加强事故隐患监督管理，防止和减少事故，保障人民群众生命财产安全，"
     "根据安全生产法等法律、行政法规，制定本规定。"),
    ("危险化学品重大危险源监督管理暂行规定", "国家安全生产监督管理总局令第40号", "国家安全生产监督管理总局", "departmental_rule",
     "2011-08-05", "2011-12-01", None, ("重大危险源", "备案"), None),
    ("特种作业人员安全技术培训考核管理规定", "国家安全生产监督管理总局令第30号", "国家安全生产监督管理总局", "departmental_rule",
     "2010-05-24", "2010-07-01", None, ("特种作业", "培训考核"), None),
    ("生产经营单位安全培训规定", "国家安全生产监督管理总局令第3号", "国家安全生产监督管理总局", "departmental_rule",
     "2006-01-17", "2006-03-01", None, ("安全培训",), None),
    ("工贸企业重大事故隐患判定标准", "应急管理部令第10号", "应急管理部", "departmental_rule", "2023-04-14", "2023-05-15", None,
     ("工贸企业", "重大事故隐患"), None),
    ("危险化学品重大危险源辨识", "GB 18218-2018", "国家市场监督管理总局、国家标准化管理委员会", "standard", "2018-11-19", "2019-03-01",
     None, ("重大危险源", "临界量"), None),
    ("企业职工伤亡事故分类", "GB 6441-1986", "国家标准局", "standard", "1986-05-31", "1987-02-01", None, ("事故分类",), None),
    ("危险化学品企业特殊作业安全规范", "GB 30871-2022", "国家市场监督管理总局、国家标准化管理委员会", "standard", "2022-03-15",
     "2022-10-01", None, ("特殊作业", "动火作业", "受限空间"), None),
    ("企业安全生产标准化基本规范", "GB/T 33000-2016", "国家质量监督检验检疫总局、国家标准化管理委员会", "standard", "2016-12-13",
     "2017-04-01", None, ("安全生产标准化",), None),
)


# --- helpers --------------------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)   # GB 11714 组织机构代码 check character
_ORG_CHARS = USCC_ALPHABET                 # the organisation part of a credit code uses the USCC alphabet


def organisation_code(body8: str) -> str:
    """The 9-character organisation code (GB 11714): 8 characters and their check character."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS))
    c = 11 - total % 11
    return body8 + ("X" if c == 10 else "0" if c == 11 else str(c))


def _uscc(rng: random.Random, county: str, *, individual: bool) -> str:
    """A credit code (GB 32100) registered in `county`: 91 enterprise or 92 个体工商户, the county's
    code in characters 3-8, an organisation code (MA…) with its own check, then the check character."""
    body = "MA" + "".join(rng.choice(_ORG_CHARS) for _ in range(6))
    first17 = ("92" if individual else "91") + county + organisation_code(body)
    return first17 + uscc_check_char(first17)


def _id_number(rng: random.Random, birth: date, male: bool) -> str:
    """A resident ID number (GB 11643): birthplace, birth date, sequence (odd for men), check character."""
    region = rng.choices([r for r, _ in _BIRTH_REGIONS], [w for _, w in _BIRTH_REGIONS])[0]
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(500) * 2 + (1 if male else 0):03d}"
    return first17 + resident_id_check_char(first17)


def _person(rng: random.Random, male: bool | None = None, *, male_share: float = 0.75) -> tuple[str, bool]:
    if male is None:
        male = rng.random() < male_share
    pool = _MALE if male else _FEMALE
    given = rng.choice(pool)
    if rng.random() < 0.72:
        second = rng.choice(pool)
        given += second if second != given else ""
    return _SURNAMES[bisect.bisect_right(_SURNAME_WEIGHTS, rng.random() * _SURNAME_WEIGHTS[-1])] + given, male


def _other_person(rng: random.Random, *not_these: str) -> str:
    while True:
        name, _ = _person(rng)
        if name not in not_these:
            return name


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def _landline(rng: random.Random) -> str:
    return f"0933-{rng.choice('8386')}{rng.randrange(10 ** 6):06d}"   # Pingliang: area code 0933, 7-digit numbers


def _at(day: date, rng: random.Random, start: int = 8, end: int = 18) -> datetime:
    return datetime.combine(day, time(rng.randrange(start, end), rng.randrange(60)), SHANGHAI)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError


def _pick(rng: random.Random, weighted: Sequence[tuple[object, float]]):
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _yuan(amount: float) -> Decimal:
    return Decimal(f"{amount:.2f}")


def _clean(record: dict) -> dict:
    """Absent rather than None, as a form that leaves a field empty."""
    return {k: v for k, v in record.items() if v is not None}


def _enterprise_scale(industry: str, employees: int) -> str:
    """统计上大中小微型企业划分办法 (2017) by head count only (turnover is not generated)."""
    if industry[0] in "FH":
        large, medium, small = (300, 20, 5) if industry.startswith("F51") else (300, 50, 10)
    else:
        large, medium, small = 1000, 300, 20
    return "large" if employees >= large else "medium" if employees >= medium else "small" if employees >= small else "micro"


@dataclass(frozen=True)
class Enterprise:
    """A generated enterprise and what the other kinds need to know about it."""
    record: dict
    profile: Profile
    county: County
    township: Township
    founded: date
    legal_male: bool
    manager_male: bool

    @property
    def uscc(self) -> str:
        return self.record["uscc"]

    @property
    def name(self) -> str:
        return self.record["name"]

    @property
    def sector(self) -> str:
        return self.profile.sector

    @property
    def employees(self) -> int:
        return self.record["employees"]

    @property
    def status(self) -> str:
        return self.record["status"]


# --- the generator --------------------------------------------------------------------------------

def generate(scale: int, seed: int = 2026, *, as_of: date | None = None) -> dict[str, Iterator[dict]]:
    """{kind name: iterator of records} in load order (see the module docstring)."""
    world = World(scale, seed, as_of or datetime.now(SHANGHAI).date())
    return {kind: world.records(kind) for kind in KINDS}


class World:
    """Everything generated for one (scale, seed, as_of). Each kind draws from its own random
    stream, so reading the kinds in any order, or only some of them, gives the same records."""

    def __init__(self, scale: int, seed: int, as_of: date):
        if not isinstance(scale, int) or scale < 1:
            raise ValueError("scale must be a positive number of enterprises")
        self.scale, self.seed, self.as_of = scale, seed, as_of
        self.yesterday = as_of - timedelta(days=1)   # nothing generated happens later than yesterday

    def rng(self, stream: str) -> random.Random:
        return random.Random(f"safety-seed/{self.seed}/{self.scale}/{stream}")

    def records(self, kind: str) -> Iterator[dict]:
        return getattr(self, "gen_" + kind)()

    # ---- enterprises -----------------------------------------------------------------------------

    @cached_property
    def enterprises(self) -> tuple[Enterprise, ...]:
        rng = self.rng("enterprise")
        sectors = list(SECTOR_WEIGHTS)
        out, codes, names = [], set(), set()
        for i in range(self.scale):
            if i < len(_FIRST):
                county, profile = COUNTY[_FIRST[i][0]], PROFILE[_FIRST[i][1]]
            else:
                sector = rng.choices(sectors, [SECTOR_WEIGHTS[s] for s in sectors])[0]
                options = SECTOR_PROFILES[sector]
                profile = rng.choices(options, [p.weight for p in options])[0]
                county = COUNTY[_pick(rng, profile.counties or _POP)]
            out.append(self._enterprise(rng, profile, county, codes, names))
        return tuple(out)

    def _enterprise(self, rng: random.Random, profile: Profile, county: County, codes: set, names: set) -> Enterprise:
        township, in_park = self._place(rng, profile, county)
        while (uscc := _uscc(rng, county.code, individual=profile.individual)) in codes:
            pass
        codes.add(uscc)
        name = self._name(rng, profile, county, township, names)
        if in_park:
            address = f"甘肃省平凉市{county.name}{county.park}{rng.choice(_PARK_ROADS)}{rng.randint(1, 88)}号"
        elif township.seat:
            address = f"甘肃省平凉市{county.name}{rng.choice(_URBAN_STREETS.get(county.code, _STREETS))}{rng.randint(1, 420)}号"
        else:
            village = rng.choice(township.villages) if township.villages else ""
            address = f"甘肃省平凉市{county.name}{township.name}{village}" + (f"{rng.randint(1, 9)}组" if rng.random() < 0.4 else "")
        spread = 0.006 if township.seat or in_park else 0.015
        lo, hi = profile.employees
        employees = int(rng.triangular(lo, hi, lo + (hi - lo) * 0.2))
        industry = rng.choice(profile.industry)
        legal, legal_male = _person(rng, male_share=0.82)
        manager, manager_male = legal, legal_male
        while not profile.individual and manager == legal:
            manager, manager_male = _person(rng)
        status = rng.choices(("operating", "suspended", "under_construction", "closed"), (87, 6, 4, 3))[0]
        founded = self.as_of - timedelta(days=rng.randint(30, 700) if status == "under_construction" else rng.randint(365, 25 * 365))
        record = _clean({
            "uscc": uscc, "name": name, "legal_representative": legal, "region_code": township.code, "address": address,
            "lon": round(township.lon + rng.gauss(0, spread), 6), "lat": round(township.lat + rng.gauss(0, spread * 0.8), 6),
            "industry_code": industry, "sector": profile.sector, "scale": _enterprise_scale(industry, employees),
            "employees": employees, "safety_manager": manager, "safety_manager_phone": _mobile(rng),
            "contact_phone": _landline(rng) if rng.random() < 0.7 else _mobile(rng),
            "risk_colour": rng.choices(("red", "orange", "yellow", "blue", None), _RISK[profile.sector])[0],
            "standardization_grade": rng.choices(("1", "2", "3", None), _STANDARD[profile.sector])[0],
            "status": status,
        })
        return Enterprise(record, profile, county, township, founded, legal_male, manager_male)

    def _place(self, rng: random.Random, profile: Profile, county: County) -> tuple[Township, bool]:
        towns = [t for t in TOWNSHIPS_OF[county.code] if not t.special]
        if profile.park and rng.random() < 0.5:
            return next(t for t in towns if t.name == county.park_township), True
        if profile.townships:
            towns = [t for t in towns if t.name in profile.townships] or towns
        seat_weight = {"urban": 8, "rural": 0.5, "any": 3}[profile.where]
        return rng.choices(towns, [seat_weight if t.seat else 1 for t in towns])[0], False

    def _name(self, rng: random.Random, profile: Profile, county: County, township: Township, used: set) -> str:
        for attempt in range(100):
            if rng.random() < 0.2:
                brand = rng.choice(_PLACE_BRANDS)
            else:
                brand = "".join(rng.sample(_BRAND, 2))
            if attempt >= 20:
                brand += rng.choice(_BRAND)
            word = rng.choice(profile.words)
            if not word.endswith("公司"):   # a shop, a pit, a works: named after where it is
                prefix = county.name + (township.name if not township.seat and rng.random() < 0.5 else "")
            else:
                r = rng.random()
                prefix = county.name if r < 0.45 else "平凉市" + county.name if r < 0.65 else "平凉" if r < 0.93 else "甘肃"
            name = prefix + brand + word
            if name not in used:
                used.add(name)
                return name
        raise AssertionError("no unused enterprise name")   # 100 tries over ~10^6 names: never

    def gen_enterprise(self) -> Iterator[dict]:
        for e in self.enterprises:
            yield dict(e.record)

    def _weights(self, rate: dict[str, float]) -> list[float]:
        return list(accumulate(rate.get(e.sector, 1) * (1 + math.log1p(e.employees) / 3) * (0.3 if e.status == "closed" else 1)
                               for e in self.enterprises))

    # ---- laws ------------------------------------------------------------------------------------

    def gen_law(self) -> Iterator[dict]:
        for title, number, authority, level, issued, effective, repealed, keywords, excerpt in _LAWS:
            yield _clean({"title": title, "document_number": number, "issuing_authority": authority, "level": level,
                          "issued_on": date.fromisoformat(issued), "effective_on": date.fromisoformat(effective),
                          "repealed_on": date.fromisoformat(repealed) if repealed else None, "keywords": list(keywords),
                          "full_text": f"{title}（节选）\n{excerpt}" if excerpt else None})

    # ---- hazards ---------------------------------------------------------------------------------

    def gen_hazard(self) -> Iterator[dict]:
        rng = self.rng("hazard")
        ents, cum = self.enterprises, self._weights(_HAZARD_RATE)
        draws = []
        for _ in range(5 * self.scale):
            e = bisect.bisect_right(cum, rng.random() * cum[-1])
            e = min(e, len(ents) - 1)
            age = min(rng.randint(1, HISTORY_DAYS), max(1, (self.as_of - ents[e].founded).days))
            draws.append((-age, e))
        draws.sort()   # oldest first, so ids follow the time they were found
        for neg_age, e in draws:
            yield self._hazard(rng, ents[e], -neg_age)

    def _hazard(self, rng: random.Random, e: Enterprise, age: int) -> dict:
        found_day = self.as_of - timedelta(days=age)
        general, majors = ([t for t in group if _fits(t, 4, e)] for group in _H_SECTOR[e.sector])
        major = bool(majors) and rng.random() < _MAJOR_SHARE.get(e.sector, 0.02)
        category, place, description, measures = rng.choice(majors if major else [*_H_COMMON, *general])[:4]
        if category in ("equipment", "environment") and rng.random() < 0.35:
            place = rng.choice(("1#", "2#", "3#", "东", "西", "北")) + place
        source = rng.choices(("self_inspection", "agency_inspection", "public_report", "employee_report"), (58, 32, 5, 5))[0]
        r = {"uscc": e.uscc, "source": source, "found_at": _at(found_day, rng), "place": place, "category": category,
             "description": description, "level": "major" if major else "general"}
        if source == "agency_inspection":
            r["unannounced"] = rng.random() < 0.35
        if age <= 14:
            weights = (35, 45, 10, 10)
        elif age <= 90:
            weights = (5, 30, 20, 45)
        elif age <= 365:
            weights = (0, 6, 4, 90)
        else:
            weights = (0, 1.5, 0.5, 98)
        if major:   # major hazards take longer
            weights = (weights[0], weights[1] * 2, weights[2] * 1.5, weights[3] * 0.7)
        status = rng.choices(("registered", "rectifying", "awaiting_verification", "closed"), weights)[0]
        if status == "closed" and age < 2:
            status = "awaiting_verification"
        r["status"] = status
        rect_days = rng.randint(30, 120) if major else rng.randint(3, 30)
        deadline = found_day + timedelta(days=rect_days)
        responsible = _other_person(rng, e.record["legal_representative"])
        funds = Decimal(rng.randint(5, 400) * 5000) if major else Decimal(rng.randint(2, 300) * 100)
        if status != "registered":
            r.update(measures=measures, responsible_person=responsible, deadline=deadline, funds_cny=funds)
        if major and (status != "registered" or rng.random() < 0.5):
            r["deadline"] = deadline
            r["plan"] = {"target": f"消除“{description}”重大事故隐患，经验收合格后销号", "measures": f"{measures}；治理期间落实专人现场监护",
                         "funds": f"落实治理资金{funds / 10000:g}万元，从企业安全生产费用中列支",
                         "materials": _PLAN_MATERIALS.get(e.sector, "治理所需设备、材料已列入采购计划并落实供货单位"),
                         "responsible": f"成立以主要负责人{e.record['legal_representative']}为组长的治理工作组，{responsible}具体负责",
                         "deadline": deadline,
                         "safety_emergency_measures": "治理期间设置警戒区域，停止相关区域作业，配备应急救援器材并制定专项应急处置方案"}
        if status == "closed":
            done = found_day + timedelta(days=rng.randint(1, max(1, min(age - 1, rect_days + 12))))
            r["verification"] = {"verified_by": _other_person(rng, responsible), "verified_at": _at(done, rng, 9, 18),
                                 "result": "passed", "opinion": rng.choice(_VERIFY_OPINIONS)}
        elif status == "rectifying" and age > rect_days and age > 3 and rng.random() < 0.15:
            done = found_day + timedelta(days=rng.randint(1, age - 1))
            r["verification"] = {"verified_by": _other_person(rng, responsible), "verified_at": _at(done, rng, 9, 18),
                                 "result": "failed", "opinion": "整改不到位，退回重新整改"}
        if major and rng.random() < 0.4:
            level = rng.choices(("county", "city", "province"), (55, 40, 5))[0]
            issuer = {"county": f"{e.county.abbr}应急发", "city": "平应急发", "province": "甘安办发"}[level]
            listed = found_day + timedelta(days=rng.randint(0, min(10, age - 1)))
            due = max(deadline, listed + timedelta(days=rng.randint(60, 150)))
            supervision = {"level": level, "document_number": f"{issuer}〔{listed.year}〕{rng.randint(1, 160)}号", "listed_on": listed,
                           "deadline": due}
            requested = due - timedelta(days=rng.randint(5, 20))
            if status != "registered" and listed < requested <= self.yesterday and rng.random() < 0.3:
                extension = {"requested_on": requested, "new_deadline": due + timedelta(days=rng.randint(30, 90)),
                             "reason": rng.choice(("治理工程量大，设备采购周期长", "冬季低温无法施工", "需停产检修配合实施"))}
                approved = rng.choices((True, False, None), (60, 20, 20))[0]
                if approved is not None:
                    extension["approved"] = approved
                supervision["extensions"] = [extension]
            r["supervision"] = supervision
        return r

    # ---- major hazard sources --------------------------------------------------------------------

    def gen_major_hazard(self) -> Iterator[dict]:
        for record in self._major_hazards():
            yield {k: v for k, v in record.items() if k != "monitoring_points"}

    def gen_monitoring_point(self) -> Iterator[dict]:
        """The points of every major hazard source (generated with it, in the same order: `source_id`
        is the source's position) and the safety-monitoring sensors of the open coal mines."""
        rng = self.rng("monitoring_point")
        for position, source in enumerate(self._major_hazards(), start=1):
            for p in source["monitoring_points"]:
                yield p | {"uscc": source["uscc"], "site_type": "major_hazard", "source_id": position, "location": source["unit_name"],
                           "status": "in_service", "calibrations": self._calibrations(rng, 365)}
        for e in self.enterprises:
            if e.profile.key != "coal_mine" or e.status == "closed":
                continue
            tag = e.uscc[8:16]
            for quantity, unit, where, zone, location, high, hh, code in _COAL_POINTS:
                yield _clean({"uscc": e.uscc, "point_code": f"{tag}-KJ-{code}", "site_type": "coal_mine", "location": location,
                              "quantity": quantity, "unit": unit, "coal_location": where, "zone": zone, "high": high, "high_high": hh,
                              "interval_s": _INTERVALS[quantity], "status": "in_service",
                              "calibrations": self._calibrations(rng, 15 if quantity == "methane" else 30)})
            for n, zone in enumerate(_COAL_FEEDS, start=1):
                yield {"uscc": e.uscc, "point_code": f"{tag}-KJ-KD{n}", "site_type": "coal_mine", "location": f"{zone}馈电开关",
                       "quantity": "switch", "switch_kind": "feed_power", "zone": zone, "interval_s": 10,
                       "status": "in_service", "calibrations": self._calibrations(rng, 30)}

    def _calibrations(self, rng: random.Random, every: int) -> list[dict]:
        """Two calibrations, the last one mostly within its interval (one in eight is overdue)."""
        last = self.as_of - timedelta(days=rng.randint(0, every - 1) if rng.random() > 0.125 else every + rng.randint(1, 10))
        return [{"on": last - timedelta(days=every), "by": "仪表班", "result": "pass"}, {"on": last, "by": "仪表班", "result": "pass"}]

    def _major_hazards(self) -> Iterator[dict]:
        rng = self.rng("major_hazard")
        capable = [e for e in self.enterprises if e.profile.units and e.status != "closed"]
        rng.shuffle(capable)
        target = max(2, round(self.scale / 20))
        plan: dict[str, list[str]] = {e.uscc: [] for e in capable}
        for round_no in range(3):   # one unit each first, then second and third units where the trade has them
            for e in capable:
                if sum(map(len, plan.values())) >= target:
                    break
                units = [u for u in e.profile.units if u not in plan[e.uscc]]
                if units and (round_no == 0 or rng.random() < 0.6):
                    plan[e.uscc].append(rng.choice(units))
        order = {e.uscc: i for i, e in enumerate(self.enterprises)}
        for e in sorted(capable, key=lambda x: order[x.uscc]):
            for n, unit in enumerate(plan[e.uscc], start=1):
                yield self._major_hazard(rng, e, unit, n)

    def _major_hazard(self, rng: random.Random, e: Enterprise, unit: str, n: int) -> dict:
        unit_type, unit_name, chemicals, population, points = _UNITS[unit]
        assessed = self.as_of - timedelta(days=rng.randint(20, 1080))
        age = (self.as_of - assessed).days
        filing = "unfiled" if age < 15 else rng.choices(("filed", "unfiled", "cancelled"), (88, 8, 4))[0]
        tag = e.uscc[8:16]
        pts = []
        for quantity, unit_zh, ll, low, high, hh, code in _POINTS[points]:
            if quantity == "level":
                height = rng.choice((8.0, 10.0, 12.0, 15.0))
                high, hh = round(height * 0.85, 1), round(height * 0.9, 1)
            pts.append(_clean({"point_code": f"{tag}-{n:02d}-{code}01", "quantity": quantity, "unit": unit_zh,
                               "low_low": ll, "low": low, "high": high, "high_high": hh, "interval_s": _INTERVALS[quantity],
                               **({"gas": _TOXIC_GAS.get(chemicals[0][0], chemicals[0][1])} if quantity == "toxic_gas" else {})}))
        for kind, code in _SWITCHES:
            pts.append({"point_code": f"{tag}-{n:02d}-{code}01", "quantity": "switch", "switch_kind": kind,
                        "interval_s": _INTERVALS["switch"]})
        record = {
            "uscc": e.uscc, "unit_type": unit_type, "unit_name": unit_name,
            "chemicals": [_clean({"cas": cas, "name": name, "max_quantity_t": Decimal(f"{rng.uniform(lo, hi):.2f}"), "category": cat})
                          for cas, name, cat, lo, hi in chemicals],
            "population_500m": rng.randint(*population), "assessed_on": assessed,
            "principal_person": e.record["legal_representative"], "principal_phone": _mobile(rng),
            "technical_person": _other_person(rng, e.record["legal_representative"]), "technical_phone": _mobile(rng),
            "operation_person": _other_person(rng, e.record["legal_representative"]), "operation_phone": _mobile(rng),
            "filing_status": filing, "monitoring_points": pts,
            "lon": round(e.record["lon"] + rng.uniform(-0.002, 0.002), 6), "lat": round(e.record["lat"] + rng.uniform(-0.002, 0.002), 6),
        }
        if filing != "unfiled":
            record["filed_on"] = assessed + timedelta(days=rng.randint(2, 14))
        return record

    # ---- rescue teams ----------------------------------------------------------------------------

    def gen_rescue_team(self) -> Iterator[dict]:
        rng = self.rng("rescue_team")
        kt = COUNTY["620802"]
        seat = self._seat_township
        core = [
            ("平凉市消防救援支队特勤大队", seat(kt), "professional", "fire_rescue", (60, 90),
             "抢险救援消防车、举高喷射消防车、破拆工具组、生命探测仪、正压式空气呼吸器", None),
            ("平凉市矿山应急救援大队", self._township("620881", "东华镇"), "professional", "mine_rescue", (80, 140),
             "矿山救护车、正压氧气呼吸器、多种气体检测仪、快速密闭材料、液压支柱", None),
            ("平凉市危险化学品应急救援队", self._township("620802", "四十里铺镇"), "professional", "hazmat_rescue", (30, 60),
             "化学洗消车、重型防化服、堵漏器材、有毒气体检测仪、泡沫消防车", None),
            ("平凉市紧急医学救援队", seat(kt), "professional", "medical_rescue", (30, 50),
             "负压救护车、便携式呼吸机、除颤仪、急救药品箱", None),
            ("平凉蓝天救援队", seat(kt), "social", "water_rescue", (60, 120), "冲锋舟、救生衣、抛投器、无人机、潜水装备", None),
            ("平凉市红十字应急救护队", seat(kt), "social", "medical_rescue", (30, 80), "急救包、担架、帐篷、自动体外除颤器", None),
        ]
        core += [(f"{c.name}应急救援大队", seat(c), "professional", "comprehensive", (25, 60),
                  "抢险救援车、发电机、照明灯组、排水泵、油锯、救生器材", None) for c in COUNTIES]
        extra_ents = [e for e in self.enterprises if e.profile.key in ("coal_mine", "chemical_plant", "cement", "thermal_power")]
        n = max(10, round(self.scale / 15))
        specs = core[:n]
        k = 0
        while len(specs) < n:
            k += 1
            if extra_ents and k % 3 != 0:
                e = extra_ents[(k - 1) % len(extra_ents)]
                specialty = "mine_rescue" if e.sector == "coal" else "hazmat_rescue" if e.sector == "hazardous_chemicals" else "fire_rescue"
                name = f"{e.name}{'矿山救护队' if e.sector == 'coal' else '专职消防队'}"
                if any(s[0] == name for s in specs):
                    extra_ents.remove(e)
                    continue
                specs.append((name, e.township, "enterprise", specialty, (12, 45), "救护车、空气呼吸器、气体检测仪、灭火器材", e.uscc))
            else:
                c = COUNTY[_pick(rng, _POP)]
                t = rng.choice([t for t in TOWNSHIPS_OF[c.code] if not t.special])
                kind = rng.choice((("志愿救援队", "comprehensive"), ("水域救援队", "water_rescue"), ("公路应急抢险队", "engineering_rescue")))
                name = f"{c.name}{t.name if not t.seat else ''}{kind[0]}"
                if any(s[0] == name for s in specs):
                    name = f"{c.name}{''.join(rng.sample(_BRAND, 2))}{kind[0]}"
                    if any(s[0] == name for s in specs):
                        continue
                team_type = "professional" if kind[1] == "engineering_rescue" else "social"
                specs.append((name, t, team_type, kind[1], (15, 60), "冲锋舟、救生衣、照明设备、发电机、绳索救援装备", None))
        for name, town, team_type, specialty, heads, equipment, uscc in specs:
            leader, _ = _person(rng)
            c = COUNTY[town.county]
            yield _clean({
                "name": name, "region_code": town.code, "team_type": team_type, "specialty": specialty,
                "headcount": rng.randint(*heads), "equipment": equipment,
                "base_address": f"甘肃省平凉市{c.name}{town.name if not town.seat else rng.choice(_URBAN_STREETS.get(c.code, _STREETS))}"
                                f"{rng.randint(1, 200)}号",
                "lon": round(town.lon + rng.uniform(-0.01, 0.01), 6), "lat": round(town.lat + rng.uniform(-0.008, 0.008), 6),
                "leader": leader, "leader_phone": _mobile(rng), "duty_phone": _landline(rng), "affiliated_uscc": uscc,
                "readiness": rng.choices(("ready", "resting", "deployed", "unavailable"), (80, 9, 7, 4))[0],
            })

    def _township(self, county: str, name: str) -> Township:
        return next(t for t in TOWNSHIPS_OF[county] if t.name == name)

    def _seat_township(self, county: County) -> Township:
        return next(t for t in TOWNSHIPS_OF[county.code] if t.seat)

    # ---- supplies: warehouses, items and their ledgers -------------------------------------------

    @cached_property
    def warehouses(self) -> tuple[tuple[dict, str, Enterprise | None, date], ...]:
        """(record, level, enterprise or None, established)."""
        rng = self.rng("supply_warehouse")
        specs = [("平凉市应急物资储备库", "city", self._township("620802", "柳湖镇"), None),
                 ("平凉市防汛抗旱物资储备库", "city", self._township("620802", "西郊街道"), None)]
        specs += [(f"{c.name}应急物资储备库", "county", self._seat_township(c), None) for c in COUNTIES]
        candidates = [e for e in self.enterprises if e.sector in ("coal", "hazardous_chemicals", "non_coal_mine")
                      and e.profile.key not in ("gas_station", "hazchem_trade") and e.status != "closed"]
        rng.shuffle(candidates)
        n = max(9, round(self.scale / 20))
        names = {s[0] for s in specs}
        while len(specs) < n:
            if candidates and rng.random() < 0.4:
                e = candidates.pop()
                specs.append((f"{e.name}应急物资库", "enterprise", e.township, e))
                continue
            c = COUNTY[_pick(rng, _POP)]
            t = rng.choice([t for t in TOWNSHIPS_OF[c.code] if not t.special and not t.seat])
            name, k = f"{c.name}{t.name}应急物资储备点", 1
            while name in names:   # a township's second and later stores are numbered
                k += 1
                name = f"{c.name}{t.name}{k}号应急物资储备点"
            names.add(name)
            specs.append((name, "township", t, None))
        out = []
        for name, level, town, e in specs[:n]:
            c = COUNTY[town.county]
            keeper, _ = _person(rng)
            area = {"city": (3000, 6000), "county": (800, 2000), "township": (80, 300), "enterprise": (50, 400)}[level]
            address = e.record["address"] if e else (
                f"甘肃省平凉市{c.name}{rng.choice(_URBAN_STREETS.get(c.code, _STREETS))}{rng.randint(1, 300)}号" if town.seat
                else f"甘肃省平凉市{c.name}{town.name}{rng.choice(town.villages) if town.villages else ''}")
            record = {"name": name, "region_code": town.code, "level": level, "address": address,
                      "lon": round((e.record["lon"] if e else town.lon) + rng.uniform(-0.004, 0.004), 6),
                      "lat": round((e.record["lat"] if e else town.lat) + rng.uniform(-0.003, 0.003), 6),
                      "keeper": keeper, "keeper_phone": _mobile(rng), "area_m2": Decimal(rng.randint(*area))}
            out.append((record, level, e, self.as_of - timedelta(days=rng.randint(500, HISTORY_DAYS))))
        return tuple(out)

    def gen_supply_warehouse(self) -> Iterator[dict]:
        for record, *_ in self.warehouses:
            yield dict(record)

    @cached_property
    def items(self) -> tuple[tuple[dict, list[dict]], ...]:
        """(item record, its ledger movements in time order). The ledger starts with the first
        stocking, never takes out more than is in stock, and its sum is the item's quantity."""
        rng = self.rng("supply_item")
        out = []
        for w_index, (warehouse, level, e, established) in enumerate(self.warehouses, start=1):
            wanted = {"city": {"gov", "all", "city"}, "county": {"gov", "all", "city"}, "township": {"gov", "all"},
                      "enterprise": {"all", "ent"} | ({"mine"} if e and e.sector == "coal" else set())
                      | ({"chem"} if e and e.sector == "hazardous_chemicals" else set())}[level]
            pool = [s for s in _SUPPLIES if s[6] in wanted]
            k = min(len(pool), rng.randint(12, 18) if level in ("city", "county") else rng.randint(5, 9))
            factor = {"city": 1.0, "county": 0.6, "township": 0.15, "enterprise": 0.3}[level]
            for category, name, spec, unit, (lo, hi), shelf, _ in sorted(rng.sample(pool, k), key=_SUPPLIES.index):
                initial = max(1, round(rng.randint(lo, hi) * factor))
                first = established + timedelta(days=rng.randint(0, 60))
                ledger, last_in = self._ledger(rng, initial, first, shelf is not None)
                record = {"warehouse_id": w_index, "category": category, "name": name, "specification": spec, "unit": unit}
                if rng.random() < 0.6:
                    record["minimum_stock"] = Decimal(max(1, round(initial * rng.uniform(0.3, 0.7))))
                if shelf:
                    record["expiry_date"] = _add_months(last_in, shelf)
                out.append((record, ledger))
        return tuple(out)

    def _ledger(self, rng: random.Random, initial: int, first: date, perishable: bool) -> tuple[list[dict], date]:
        moves, balance, day, last_in = [], 0, first, first

        def move(direction: str, quantity: int, on: date) -> None:
            nonlocal balance
            balance += quantity if direction in ("in", "adjust_up") else -quantity
            moves.append({"direction": direction, "quantity": Decimal(quantity), "moved_at": _at(on, rng, 8, 18),
                          "reason": rng.choice(_MOVE_REASONS[direction] if direction != "adjust_down" or not perishable
                                               else ("过期报废",)),
                          "handler": _person(rng)[0], "document_number": f"{_MOVE_DOC[direction]}{on:%Y%m%d}{rng.randint(1, 999):03d}"})

        move("in", initial, first)
        for _ in range(rng.randint(1, 5)):
            day += timedelta(days=rng.randint(20, 300))
            if day > self.yesterday:
                break
            direction = rng.choices(("out", "in", "adjust_down", "adjust_up"), (45, 35, 12, 8))[0]
            if direction in ("out", "adjust_down") and balance < 2:
                direction = "in"
            if direction == "out":
                quantity = rng.randint(1, max(1, balance // 2))
            elif direction == "adjust_down":
                quantity = rng.randint(1, max(1, balance // 10))
            elif direction == "in":
                quantity = max(1, round(initial * rng.uniform(0.2, 0.6)))
                last_in = day
            else:
                quantity = rng.randint(1, max(1, initial // 20))
            move(direction, quantity, day)
        return moves, last_in

    def gen_supply_item(self) -> Iterator[dict]:
        for record, _ in self.items:
            yield dict(record)

    def gen_supply_movement(self) -> Iterator[dict]:
        moves = [(m["moved_at"], i, m) for i, (_, ledger) in enumerate(self.items, start=1) for m in ledger]
        moves.sort(key=lambda x: (x[0], x[1]))   # in time order; an item's own movements keep theirs
        for _, item, m in moves:
            yield {"item_id": item, **m}

    # ---- accidents -------------------------------------------------------------------------------

    def gen_accident(self) -> Iterator[dict]:
        rng = self.rng("accident")
        n = max(3, round(self.scale / 50))
        n_major = 0 if self.scale < 500 else 1 if self.scale < 5000 else 2
        n_large = 0 if self.scale < 50 else max(1, round(n * 0.12))
        grades = ["major"] * n_major + ["large"] * n_large + ["general"] * max(1, n - n_major - n_large)
        by_sector: dict[str, list[Enterprise]] = {}
        for e in self.enterprises:
            by_sector.setdefault(e.sector, []).append(e)
        subjects = {t: [e for e in by_sector.get(t[0], ()) if _fits(t, 7, e)] for t in _A}   # who each template can happen to
        planned = []
        for grade in grades:
            template, e = self._accident_subject(rng, grade, by_sector, subjects)
            age = rng.randint(300, 900) if grade == "major" else rng.randint(3, HISTORY_DAYS)
            planned.append((age, grade, template, e))
        planned.sort(key=lambda p: -p[0])   # oldest first
        for age, grade, template, e in planned:
            yield self._accident(rng, age, grade, template, e)

    def _accident_subject(self, rng: random.Random, grade: str, by_sector: dict, subjects: dict) -> tuple[tuple, Enterprise]:
        if grade == "major":
            options = [t for t in _A if t[0] == "coal" and t[1] in ("gas_explosion", "water_inrush") and subjects[t]]
            options = options or [t for t in _A if t[0] == "commerce_trade" and t[1] == "fire"]
        elif grade == "large":
            options = [t for t in _A if (t[0], t[1]) in _LARGE]
        else:
            options = list(_A)
        options = [t for t in options if subjects[t]] or [t for t in _A if subjects[t]]
        per_sector = {s: sum(1 for t in options if t[0] == s) for s in by_sector}
        weights = [_HAZARD_RATE.get(t[0], 1) * len(by_sector[t[0]]) / per_sector[t[0]] for t in options]
        template = rng.choices(options, weights)[0]
        ents = subjects[template]
        return template, rng.choices(ents, [1 + math.log1p(x.employees) for x in ents])[0]

    def _accident(self, rng: random.Random, age: int, grade: str, t: tuple, e: Enterprise) -> dict:
        _, kind, category, place, what, how, cause = t[:7]
        occurred = _at(self.as_of - timedelta(days=age), rng, 0, 24)
        if grade == "general":
            deaths = rng.choices((0, 1, 2), (25, 60, 15))[0]
            serious = rng.randint(1, 3) if deaths == 0 else rng.choice((0, 0, 1, 2))
            minor = rng.choice((0, 0, 1, 2, 3))
            loss = deaths * rng.uniform(1.3e6, 1.9e6) + rng.uniform(8e4, 9e5)
        elif grade == "large":
            deaths, serious, minor = rng.randint(3, 6), rng.randint(0, 6), rng.randint(0, 8)
            loss = deaths * rng.uniform(1.4e6, 1.8e6) + rng.uniform(1e6, 3e6)
        elif kind == "fire":   # 重大 by the direct loss (5000万元以上), nobody killed
            deaths, serious, minor = 0, rng.randint(0, 3), rng.randint(1, 6)
            loss = rng.uniform(5.2e7, 8.5e7)
        else:                  # 重大 by deaths (10人以上)
            deaths, serious, minor = rng.randint(10, 13), rng.randint(2, 9), rng.randint(3, 15)
            loss = deaths * rng.uniform(1.5e6, 1.9e6) + rng.uniform(5e6, 1.8e7)
        o = occurred
        grade_word = {"general": "", "large": "较大", "major": "重大"}[grade]
        if category == "road_traffic":
            where = rng.choice((f"国道312线{e.county.name}段", "福银高速公路平凉段", f"{e.county.name}{e.township.name}境内乡村道路"))
            happened = f"{e.name}所属车辆在{where}{how}"
        else:
            where = f"{e.record['address']}（{e.name}{place}）"
            happened = f"{e.name}{place}{how}"
        casualties = "、".join(p for p in (f"{deaths}人死亡" if deaths else "", f"{serious}人重伤" if serious else "",
                                          f"{minor}人轻伤" if minor else "") if p)
        reports, at = [], occurred + timedelta(minutes=rng.randint(70, 240) if rng.random() < 0.1 else rng.randint(12, 55))
        for level in {"general": ("county", "city"), "large": ("county", "city", "province"),
                      "major": ("county", "city", "province", "state_council")}[grade]:
            reports.append({"level": level, "reported_at": at,
                            "reporter": e.record["legal_representative"] if level == "county" else _person(rng)[0]})
            at += timedelta(minutes=rng.randint(25, 110))
        record = {
            "uscc": e.uscc, "title": f"{e.name}“{o.month}·{o.day}”{grade_word}{what}事故", "occurred_at": occurred, "place": where,
            "category": category, "accident_type": kind, "deaths": deaths, "missing": 0, "serious_injuries": serious,
            "minor_injuries": minor, "direct_loss_cny": _yuan(loss),
            "description": f"{o.year}年{o.month}月{o.day}日{o.hour}时{o.minute}分许，{happened}，造成{casualties}，"
                           f"直接经济损失约{loss / 10000:.0f}万元。初步查明，事故原因为{cause}。",
            "reports": reports, "status": "reported",
        }
        if age >= 15:
            body = {"general": f"{e.county.name}人民政府", "large": "平凉市人民政府", "major": "甘肃省人民政府"}[grade]
            lead = {"general": f"{e.county.name}应急管理局", "large": "平凉市应急管理局", "major": "甘肃省应急管理厅"}[grade]
            extension = 30 if grade == "major" or rng.random() < 0.12 else 0
            investigation = {"team_leader": _person(rng)[0], "extension_days": extension,
                             "team": f"由{body}组织，{lead}牵头，公安、人力资源社会保障、工会和行业主管部门参加"}
            submitted = occurred.date() + timedelta(days=rng.randint(40, 60 + extension))
            closed = submitted + timedelta(days=rng.randint(10, 45))
            if submitted <= self.yesterday:
                investigation["report_submitted_on"] = submitted
                investigation["findings"] = (f"经调查认定，该起事故是一起生产安全责任事故。直接原因：{cause}。间接原因：企业安全生产主体责任落实不到位，"
                                             "安全教育培训和隐患排查治理不到位，现场安全管理缺失。")
            record["status"] = "investigating"
            if closed <= self.yesterday:
                fine = {"general": (30, 100), "large": (100, 200), "major": (200, 1000)}[grade]
                share = {"general": 40, "large": 60, "major": 80}[grade]
                investigation["accountability"] = (f"对事故企业处以{rng.randint(*fine)}万元罚款；对企业主要负责人处上一年年收入{share}%的罚款；"
                                                   f"对{rng.randint(2, 9)}名责任人员给予党纪政务处分或移送司法机关处理。")
                record.update(status="closed", closed_on=closed)
            record["investigation"] = investigation
        return record

    # ---- experts ---------------------------------------------------------------------------------

    def gen_expert(self) -> Iterator[dict]:
        rng = self.rng("expert")
        fixed = (("平凉市应急管理局", ("safety_management", "emergency_rescue"), "620802"),
                 ("平凉市消防救援支队", ("fire", "emergency_rescue"), "620802"),
                 ("平凉市疾病预防控制中心", ("occupational_health",), "620802"),
                 ("平凉市人民医院", ("occupational_health", "emergency_rescue"), "620802"),
                 ("平凉职业技术学院", ("safety_management", "electrical"), "620802"),
                 ("平凉市特种设备检验检测所", ("special_equipment",), "620802"),
                 ("平凉市建设工程安全质量监督站", ("construction",), "620802"),
                 ("平凉市交通运输综合执法支队", ("transport",), "620802"),
                 ("华亭市应急管理局", ("coal", "safety_management"), "620881"),
                 ("崇信县应急管理局", ("coal", "safety_management"), "620823"))
        consultancies = tuple((f"甘肃{''.join(rng.sample(_BRAND, 2))}安全技术咨询有限公司", "620802") for _ in range(3)) + \
            tuple((f"平凉{''.join(rng.sample(_BRAND, 2))}安全评价有限公司", "620802") for _ in range(2))
        big = [e for e in self.enterprises if e.sector in _EXPERT_FIELDS and e.employees >= 80]
        for i in range(max(20, round(self.scale / 10))):
            r = rng.random()
            if r < 0.4 or (r < 0.7 and not big):
                employer, fields, region = rng.choice(fixed)
            elif r < 0.7:
                e = rng.choice(big)
                employer, fields, region = e.name, _EXPERT_FIELDS[e.sector], e.county.code
            else:
                (employer, region), fields = rng.choice(consultancies), ("safety_management", rng.choice(_CONSULTING_FIELDS))
            if rng.random() < 0.3:
                fields = fields + (rng.choice(("fire", "electrical", "emergency_rescue", "special_equipment")),)
            fields = list(dict.fromkeys(fields))
            name, male = _person(rng, male_share=0.78)
            age = rng.randint(32, 64)
            birth = date(_REF_YEAR - age, rng.randint(1, 12), rng.randint(1, 28))
            availability = "retired" if age >= 62 and rng.random() < 0.5 else rng.choices(("available", "busy", "retired"), (82, 15, 3))[0]
            yield {"name": name, "gender": "male" if male else "female", "id_number": _id_number(rng, birth, male), "region_code": region,
                   "fields": fields, "title": rng.choices(("senior_full", "senior_associate", "intermediate", "junior", "none"), (12, 40, 38, 5, 5))[0],
                   "employer": employer, "phone": _mobile(rng), "email": f"expert{i + 1:05d}@example.com",
                   "occupational_health": "occupational_health" in fields, "availability": availability}

    # ---- licences --------------------------------------------------------------------------------

    def gen_licence(self) -> Iterator[dict]:
        rng = self.rng("licence")
        serials: dict = {}
        first = ["renewal_open", "expired"]   # the first two 安全生产许可证, so even a small data set shows both
        for e in self.enterprises:
            if e.status == "under_construction":
                continue
            for kind in e.profile.licences:
                if kind == "precursor_production_filing" and rng.random() > 0.4:
                    continue
                if kind == "precursor_operation_filing" and rng.random() > 0.25:
                    continue
                yield from self._licences(rng, e, kind, serials, first)

    def _licences(self, rng: random.Random, e: Enterprise, kind: str, serials: dict, first: list[str]) -> Iterator[dict]:
        months = 12 if kind == "fireworks_retail" else 36
        if e.status == "closed":
            state = rng.choice(("expired", "revoked"))
        elif e.status == "suspended":
            state = rng.choice(("suspended", "expired", "valid"))
        else:
            state = rng.choices(("valid", "renewal_open", "expired", "suspended", "revoked"), (77, 13, 7, 2.5, 0.5))[0]
            if kind == "work_safety" and first:   # the one type the rule table gives a renewal window
                state = first.pop(0)
        remaining = {"renewal_open": rng.randint(4, 85), "expired": -rng.randint(3, 400)}.get(state) or rng.randint(100, months * 30 - 20)
        issued = _add_months(self.as_of + timedelta(days=remaining), -months)
        if state in ("valid", "renewal_open") and rng.random() < 0.35 and _add_months(issued, -months) > e.founded:
            before = _add_months(issued, -months)   # the licence this one renewed: expired the day before
            yield self._licence(rng, e, kind, before, issued - timedelta(days=1), "expired", serials)
        yield self._licence(rng, e, kind, issued, _add_months(issued, months) - timedelta(days=1), state, serials)

    def _licence(self, rng: random.Random, e: Enterprise, kind: str, issued: date, until: date, state: str, serials: dict) -> dict:
        key = (kind, issued.year)
        serials[key] = serials.get(key, rng.randint(10, 200)) + rng.randint(1, 7)
        s, year, p, county = serials[key], issued.year, e.profile.key, e.county
        if kind == "work_safety":
            code = "MK" if e.sector == "coal" else "FM" if e.sector == "non_coal_mine" else "WH"
            number, authority = f"（甘）{code}安许证字〔{year}〕{s:06d}号", "平凉市应急管理局" if code == "FM" else "甘肃省应急管理厅"
            scope = {"MK": f"煤炭开采（{rng.choice((45, 60, 90, 120, 150, 240, 300, 400))}万吨/年）",
                     "FM": {"limestone": "建筑石料用灰岩露天开采", "sand_gravel": "建筑用砂石露天开采"}.get(p, "砖瓦用页岩露天开采"),
                     "WH": "氧[压缩的或液化的]、溶解乙炔、氮[压缩的或液化的]生产" if p == "industrial_gas" else "甲醇、氢、氨等危险化学品生产"}[code]
        elif kind == "hazchem_operation":
            number = f"甘平危化经字〔{year}〕{s:06d}号"
            authority = f"{county.name}应急管理局" if p == "hazchem_trade" else "平凉市应急管理局"
            scope = {"gas_station": "汽油、柴油[闭杯闪点≤60℃]零售（带储存）", "lpg": "液化石油气（带储存）",
                     "cng_lng": "天然气[富含甲烷的]（压缩的、液化的）零售（带储存）", "oil_depot": "汽油、柴油[闭杯闪点≤60℃]、甲醇批发（带储存）",
                     "industrial_gas": "氧[压缩的或液化的]、乙炔（带储存）"}.get(p, "硫酸、盐酸、氢氧化钠、过氧化氢溶液等（不带储存）")
        elif kind == "fireworks_retail":
            number, authority, scope = f"（甘）YH经（零）字〔{year}〕{s:06d}号", f"{county.name}应急管理局", "C级、D级个人燃放类烟花爆竹零售"
        elif kind == "fireworks_wholesale":
            number, authority, scope = f"（甘）YH经（批）字〔{year}〕{s:06d}号", "平凉市应急管理局", "A级、B级、C级、D级烟花爆竹批发"
        elif kind == "precursor_production_filing":
            number, authority, scope = f"（甘）3S{county.code}{year}{s:04d}", "平凉市应急管理局", "硫酸、盐酸（第三类）生产"
        else:
            number, authority, scope = f"（甘）3J{county.code}{year}{s:04d}", f"{county.name}应急管理局", "硫酸、盐酸、高锰酸钾（第二类、第三类）经营"
        return {"uscc": e.uscc, "licence_type": kind, "number": number, "scope": scope, "issuing_authority": authority,
                "issued_on": issued, "valid_until": until, "suspended": state == "suspended", "revoked": state == "revoked",
                "public_disclosure": rng.random() < 0.9}

    # ---- personnel -------------------------------------------------------------------------------

    def gen_officer(self) -> Iterator[dict]:
        rng = self.rng("officer")
        agencies = [("平凉市应急管理局", CITY, 12.0), ("平凉市应急管理综合行政执法支队", CITY, 18.0)]
        for c in COUNTIES:
            agencies += [(f"{c.name}应急管理局", c.code, c.weight * 0.8), (f"{c.name}应急管理综合行政执法大队", c.code, c.weight * 1.2)]
        seq = rng.randint(10, 90)
        for i in range(max(len(agencies), round(self.scale / 8))):
            agency, region, _ = agencies[i] if i < len(agencies) else rng.choices(agencies, [a[2] for a in agencies])[0]
            name, male = _person(rng, male_share=0.7)
            birth = date(_REF_YEAR - rng.randint(24, 58), rng.randint(1, 12), rng.randint(1, 28))
            valid_from = self.as_of - timedelta(days=rng.randint(20, 6 * 365))
            seq += rng.randint(1, 5)
            yield {"name": name, "id_number": _id_number(rng, birth, male), "region_code": region, "agency": agency,
                   "certificate_number": f"{region}{valid_from.year}{seq:05d}", "valid_from": valid_from,
                   "valid_until": _add_months(valid_from, 60) - timedelta(days=1), "phone": _mobile(rng)}

    def gen_trainee(self) -> Iterator[dict]:
        rng = self.rng("trainee")
        ents = self.enterprises
        cum = list(accumulate(1 + math.log1p(e.employees) for e in ents))
        providers = ("平凉市安全生产培训中心", "平凉职业技术学院", f"甘肃{''.join(rng.sample(_BRAND, 2))}安全技术培训有限公司",
                     f"平凉{''.join(rng.sample(_BRAND, 2))}职业技能培训学校")
        principals, managers, serial = set(), set(), rng.randint(100, 900)
        for _ in range(max(10, round(1.5 * self.scale))):
            e = ents[min(bisect.bisect_right(cum, rng.random() * cum[-1]), len(ents) - 1)]
            category = "principal" if e.profile.individual else \
                rng.choices(("principal", "safety_manager", "special_operation"), (22, 30, 48))[0]
            if category == "principal" and e.uscc in principals:
                category = "safety_manager"
            if category == "principal":    # the enterprise's legal representative, always the same person
                principals.add(e.uscc)
                who = random.Random(f"safety-seed/{self.seed}/{e.uscc}/legal")
                name, male = e.record["legal_representative"], e.legal_male
                id_number = _id_number(who, date(_REF_YEAR - who.randint(28, 60), who.randint(1, 12), who.randint(1, 28)), male)
            elif category == "safety_manager" and e.uscc not in managers and rng.random() < 0.6:
                managers.add(e.uscc)
                who = random.Random(f"safety-seed/{self.seed}/{e.uscc}/manager")
                name, male = e.record["safety_manager"], e.manager_male
                id_number = _id_number(who, date(_REF_YEAR - who.randint(25, 58), who.randint(1, 12), who.randint(1, 28)), male)
            else:
                name, male = _person(rng)
                id_number = _id_number(rng, date(_REF_YEAR - rng.randint(20, 58), rng.randint(1, 12), rng.randint(1, 28)), male)
            special = category == "special_operation"
            record = {"name": name, "id_number": id_number, "region_code": e.township.code, "phone": _mobile(rng),
                      "employer_uscc": e.uscc, "employer_name": e.name, "category": category}
            if special:
                operation = _pick(rng, _OPERATIONS.get(e.sector, _OPERATIONS["default"]))
                record["operation_type"] = operation
                course, hours, subject = f"{_OPERATION_ZH[operation]}安全技术培训（初训）", rng.choice((64, 72, 80, 96)), "安全技术理论"
            else:
                high_risk = e.sector in ("coal", "non_coal_mine", "hazardous_chemicals", "fireworks", "metallurgy", "nonferrous")
                who_zh = "主要负责人" if category == "principal" else "安全生产管理人员"
                course, hours, subject = f"{who_zh}安全生产知识和管理能力培训（初训）", 48 if high_risk else 32, "安全生产知识和管理能力考核"
            start = self.as_of - timedelta(days=rng.randint(20, 7 * 365))
            finished = start + timedelta(days=max(1, hours // 8) + rng.randint(0, 3))
            record["trainings"] = [{"course": course, "hours": hours, "started_on": start, "finished_on": finished,
                                    "provider": rng.choice(providers)}]
            exams, issued, day = [], None, finished + timedelta(days=rng.randint(2, 15))
            while day <= self.yesterday and len(exams) < 2:
                score = max(40, min(100, round(rng.gauss(85, 9))))
                exams.append({"exam_date": day, "subject": subject, "score": Decimal(score), "passed": score >= 80})
                if score >= 80:
                    issue_day = day + timedelta(days=rng.randint(5, 20))
                    issued = issue_day if issue_day <= self.yesterday else None
                    break
                if rng.random() < 0.4:   # did not sit the make-up exam
                    break
                day += timedelta(days=rng.randint(15, 40))
            if exams:
                record["exams"] = exams
            if issued:
                serial += rng.randint(1, 4)
                record.update(certificate_number=f"{'T' if special else 'AQ'}{e.county.code}{issued.year}{serial:06d}",
                              certificate_issued_on=issued,
                              certificate_valid_until=_add_months(issued, 72 if special else 36) - timedelta(days=1))
            yield record


def _fits(template: tuple, at: int, e: Enterprise) -> bool:
    """A template that names the kinds of enterprise it happens in (at position `at`) fits only those."""
    return len(template) <= at or e.profile.key in template[at]


_REF_YEAR = 2026   # birth years count back from here, so people do not change with `as_of`
_LARGE = {("coal", "roof_fall"), ("coal", "gas_explosion"), ("coal", "water_inrush"), ("hazardous_chemicals", "poisoning_asphyxia"),
          ("hazardous_chemicals", "fire"), ("construction", "collapse"), ("non_coal_mine", "collapse"), ("transport", "vehicle"),
          ("building_materials", "poisoning_asphyxia")}
_EXPERT_FIELDS = {"coal": ("coal", "safety_management"), "hazardous_chemicals": ("hazardous_chemicals",),
                  "non_coal_mine": ("non_coal_mine",), "fireworks": ("fireworks",), "building_materials": ("industry_trade",),
                  "metallurgy": ("industry_trade",), "machinery": ("industry_trade", "special_equipment"),
                  "construction": ("construction",), "transport": ("transport",), "other": ("electrical",)}
_CONSULTING_FIELDS = ("hazardous_chemicals", "non_coal_mine", "coal", "industry_trade", "occupational_health", "fireworks")
_OPERATIONS = {
    "coal": (("coal_mine", 55), ("electrician", 25), ("welding", 12), ("work_at_height", 8)),
    "non_coal_mine": (("metal_nonmetal_mine", 60), ("electrician", 20), ("welding", 20)),
    "hazardous_chemicals": (("hazardous_chemicals", 60), ("electrician", 25), ("welding", 15)),
    "fireworks": (("fireworks", 60), ("electrician", 40)),
    "metallurgy": (("metallurgy", 50), ("electrician", 25), ("welding", 25)),
    "nonferrous": (("metallurgy", 50), ("electrician", 25), ("welding", 25)),
    "construction": (("electrician", 35), ("welding", 35), ("work_at_height", 30)),
    "commerce_trade": (("electrician", 50), ("refrigeration", 35), ("work_at_height", 15)),
    "other": (("electrician", 60), ("work_at_height", 25), ("welding", 15)),
    "default": (("electrician", 50), ("welding", 35), ("work_at_height", 15)),
}
_OPERATION_ZH = {"electrician": "电工作业", "welding": "焊接与热切割作业", "work_at_height": "高处作业", "refrigeration": "制冷与空调作业",
                 "coal_mine": "煤矿安全作业", "metal_nonmetal_mine": "金属非金属矿山安全作业", "oil_gas": "石油天然气安全作业",
                 "metallurgy": "冶金（有色）生产安全作业", "hazardous_chemicals": "危险化学品安全作业", "fireworks": "烟花爆竹安全作业"}
