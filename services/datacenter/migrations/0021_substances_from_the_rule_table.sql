-- The GB 18218-2018 substance dictionary is now the rule table itself
-- (services/datacenter/ruletables/tables/gb18218_substances.*.json: all 85 rows of Table 1 with their
-- hazard categories, Table 3's β): DictionaryService serves it from the table in force, so the list
-- forms offer and the grading cannot disagree. The partial copy loaded by 0006 (14 rows) goes;
-- dictionaries.cas_is_valid() stays (CAS numbers are checked by the same rule in Python).
DROP TABLE dictionaries.substance;
