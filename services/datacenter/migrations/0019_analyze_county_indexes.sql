-- The new expression indexes (0018) need statistics of left(region_code, 6) before the planner trusts them.
ANALYZE enterprises.enterprise;
ANALYZE hazards.hazard;
ANALYZE major_hazards.source;
ANALYZE rescue_teams.team;
ANALYZE supplies.warehouse;
ANALYZE supplies.item;
ANALYZE supplies.movement;
ANALYZE accidents.accident;
ANALYZE experts.expert;
ANALYZE licences.licence;
ANALYZE personnel.officer;
ANALYZE personnel.trainee;
