"""Rules of the supplies database: categories, the ledger arithmetic, expiry. Pure."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.kit.errors import FieldViolation

WAREHOUSE_LEVELS = (("city", "市级"), ("county", "县级"), ("township", "乡镇级"), ("enterprise", "企业"))
# 应急物资分类 (13 classes used by emergency-supply catalogues).
CATEGORIES = (("protection", "防护用品"), ("life_rescue", "生命救助"), ("life_support", "生命支持"),
              ("rescue_transport", "救援运载"), ("shelter", "临时食宿"), ("decontamination", "污染清理"),
              ("power_fuel", "动力燃料"), ("engineering_equipment", "工程设备"), ("tools", "器材工具"),
              ("lighting", "照明设备"), ("communication", "通讯广播"), ("transport", "交通运输"),
              ("engineering_materials", "工程材料"))
DIRECTIONS = (("in", "入库"), ("out", "出库"), ("adjust_up", "盘盈调整"), ("adjust_down", "盘亏调整"))


def delta(direction: str, quantity: Decimal) -> Decimal:
    """The signed change a movement makes to the balance."""
    return quantity if direction in ("in", "adjust_up") else -quantity


def balance_after(balance: Decimal, direction: str, quantity: Decimal) -> tuple[Decimal, list[FieldViolation]]:
    """The new balance, or why the movement is refused: stock never goes below zero."""
    new = Decimal(balance) + delta(direction, Decimal(quantity))
    if new < 0:
        return new, [FieldViolation("quantity", "quantity.exceeds_stock", f"出库数量超过当前库存（{balance}）",
                                    f"The quantity exceeds the current stock ({balance})")]
    if Decimal(quantity) == 0:
        return new, [FieldViolation("quantity", "quantity.zero", "数量必须大于0", "The quantity must be greater than 0")]
    return new, []


def is_expired(expiry: date | None, today: date) -> bool:
    return expiry is not None and expiry < today


def below_minimum(quantity, minimum) -> bool:
    return minimum is not None and quantity is not None and Decimal(quantity) < Decimal(minimum)
