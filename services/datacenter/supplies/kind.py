"""应急救援物资 (emergency supplies): warehouses, the items stored in them, and the stock ledger.
An item's quantity is never typed in: it is the sum of its ledger movements, kept in the same
transaction as each movement, and a movement can neither be changed nor deleted (a mistake is
corrected by a further adjusting movement)."""
from __future__ import annotations

import dataclasses

from services.datacenter.registry.spec import Field, Kind, coordinates, person, phone, region_field
from services.datacenter.supplies import rules
from services.kit import roles

_WRITERS = (roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.EMERGENCY_COMMANDER, roles.EMERGENCY_DUTY_OFFICER)

WAREHOUSE = Kind(
    name="supply_warehouse", database="supplies", table="warehouse", path="supply-warehouses", label="物资储备库",
    writer_roles=_WRITERS, description="应急物资储备库：级别、位置、保管人", category_field="level",
    fields=(
        Field("name", "储备库名称", required=True, min_length=2, max_length=100, search=True, list_column=True),
        region_field(),
        Field("level", "储备级别", "enum", required=True, options=rules.WAREHOUSE_LEVELS, filter=True, list_column=True),
        Field("address", "地址", required=True, max_length=300, search=True),
        *coordinates(),
        person("keeper", "保管人", required=True, list_column=True),
        phone("keeper_phone", "保管人电话", required=True),
        Field("area_m2", "库房面积（平方米）", "decimal", minimum=0, maximum=1e7),
    ),
)

ITEM = Kind(
    name="supply_item", database="supplies", table="item", path="supply-items", label="储备物资",
    writer_roles=_WRITERS, region_from="warehouse_id", description="储备物资：类别、规格、数量（由台账汇总）、有效期",
    category_field="category",
    fields=(
        Field("warehouse_id", "所在储备库", "int", required=True, ref="supply_warehouse", filter=True, minimum=1),
        Field("category", "物资类别", "enum", required=True, options=rules.CATEGORIES, filter=True, list_column=True),
        Field("name", "物资名称", required=True, min_length=1, max_length=100, search=True, list_column=True),
        Field("specification", "规格型号", max_length=200, search=True),
        Field("unit", "计量单位", required=True, max_length=10, list_column=True),
        Field("quantity", "库存数量", "decimal", computed=True, list_column=True),
        Field("minimum_stock", "最低储备量", "decimal", minimum=0, maximum=1e9),
        Field("expiry_date", "有效期至", "date", list_column=True),
    ),
    derive=lambda record, ctx: {} if ctx.current else {"quantity": 0},
    at_read=lambda row, ctx: {"expired": rules.is_expired(row.get("expiry_date"), ctx.today),
                              "below_minimum": rules.below_minimum(row.get("quantity"), row.get("minimum_stock"))},
    read_fields=(Field("expired", "是否过期", "bool"), Field("below_minimum", "低于最低储备", "bool")),
)

MOVEMENT = Kind(
    name="supply_movement", database="supplies", table="movement", path="supply-movements", label="物资出入库台账",
    writer_roles=_WRITERS, region_from="item_id", updatable=False, deletable=False,
    description="出入库台账：每一笔入库、出库和盘点调整；库存等于台账之和", category_field="direction",
    month_field="moved_at",
    fields=(
        Field("item_id", "物资", "int", required=True, ref="supply_item", filter=True, minimum=1),
        Field("direction", "类型", "enum", required=True, options=rules.DIRECTIONS, filter=True, list_column=True),
        Field("quantity", "数量", "decimal", required=True, minimum=0, maximum=1e9, list_column=True,
              help="盘点调整可为负数以外的任意值；出库不得超过库存"),
        Field("moved_at", "发生时间", "datetime", required=True, list_column=True),
        Field("reason", "事由", max_length=500, search=True),
        person("handler", "经办人", required=True, list_column=True),
        Field("document_number", "单据号", max_length=60),
        Field("balance_after", "结存", "decimal", computed=True, list_column=True),
    ),
)


def _post_movement(conn, record: dict) -> tuple[dict, list, dict]:
    """Lock the item, move its balance, and keep the balance this movement left behind. The item
    changed too: the servicer records its history and publishes it (returned as `touched`)."""
    row = conn.execute("SELECT quantity FROM supplies.item WHERE id = %s AND deleted_at IS NULL FOR UPDATE",
                       (record["item_id"],)).fetchone()
    new, refused = rules.balance_after(row[0], record["direction"], record["quantity"])
    return {"balance_after": new}, refused, ({"supply_item": (record["item_id"], {"quantity": new})} if not refused else {})


MOVEMENT = dataclasses.replace(MOVEMENT, on_insert=_post_movement)
KINDS = (WAREHOUSE, ITEM, MOVEMENT)
