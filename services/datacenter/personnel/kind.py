"""执法人员和培训人员 (personnel): enforcement officers and their credentials; trainees (principals,
safety managers, special-operation workers) with their training, exams and certificates."""
from __future__ import annotations

from services.datacenter.personnel import rules
from services.datacenter.registry.spec import Field, Kind, ListFilter, person, phone, region_field

_TRAINING = (Field("course", "培训课程", required=True, max_length=200), Field("hours", "学时", "int", minimum=1, maximum=2000),
             Field("started_on", "开始日期", "date"), Field("finished_on", "结束日期", "date"),
             Field("provider", "培训机构", max_length=200))
_EXAM = (Field("exam_date", "考试日期", "date", required=True), Field("subject", "科目", max_length=100),
         Field("score", "成绩", "decimal", required=True, minimum=0, maximum=100), Field("passed", "是否合格", "bool", required=True))

OFFICER = Kind(
    name="officer", database="personnel", table="officer", path="officers", label="行政执法人员",
    description="行政执法人员：执法证号、所在机关、辖区、有效期", category_field="agency",
    fields=(
        person("name", "姓名", required=True, search=True, list_column=True),
        Field("id_number", "身份证号码", "id_number", mask="id_number", required=True),
        region_field(),
        Field("agency", "所在执法机关", required=True, max_length=100, filter=True, list_column=True),
        Field("certificate_number", "执法证号", required=True, max_length=40, search=True, list_column=True),
        Field("valid_from", "发证日期", "date", required=True),
        Field("valid_until", "有效期至", "date", required=True, list_column=True),
        phone("phone", "联系电话"),
    ),
    check=lambda record, ctx: rules.validity_violations(record, "valid_from", "valid_until"),
    at_read=lambda row, ctx: {"status": rules.credential_status(row.get("valid_until"), ctx.today)},
    read_fields=(Field("status", "证件状态", "enum", options=rules.CREDENTIAL_STATUSES),),
    list_filters=(ListFilter("status", "证件状态", rules.CREDENTIAL_STATUSES, rules.credential_filter_sql("valid_until")),),
)

TRAINEE = Kind(
    name="trainee", database="personnel", table="trainee", path="trainees", label="安全培训人员",
    description="主要负责人、安全生产管理人员、特种作业人员：培训、考试、证书及有效期", category_field="category",
    fields=(
        person("name", "姓名", required=True, search=True, list_column=True),
        Field("id_number", "身份证号码", "id_number", mask="id_number", required=True),
        region_field(),
        phone("phone", "联系电话"),
        Field("employer_uscc", "工作单位信用代码", "uscc"),
        Field("employer_name", "工作单位", max_length=200, search=True, list_column=True),
        Field("category", "人员类别", "enum", required=True, options=rules.TRAINEE_CATEGORIES, filter=True, list_column=True),
        Field("operation_type", "特种作业类别", "enum", options=rules.OPERATION_TYPES, filter=True),
        Field("trainings", "培训记录", "json", item_fields=_TRAINING),
        Field("exams", "考试成绩", "json", item_fields=_EXAM),
        Field("certificate_number", "证书编号", max_length=40, search=True, list_column=True),
        Field("certificate_issued_on", "发证日期", "date"),
        Field("certificate_valid_until", "证书有效期至", "date", list_column=True),
    ),
    check=lambda record, ctx: rules.trainee_violations(record),
    at_read=lambda row, ctx: {"certificate_status": rules.credential_status(row.get("certificate_valid_until"), ctx.today)},
    read_fields=(Field("certificate_status", "证书状态", "enum", options=rules.CREDENTIAL_STATUSES),),
    list_filters=(ListFilter("certificate_status", "证书状态", rules.CREDENTIAL_STATUSES,
                             rules.credential_filter_sql("certificate_valid_until")),),
)
KINDS = (OFFICER, TRAINEE)
