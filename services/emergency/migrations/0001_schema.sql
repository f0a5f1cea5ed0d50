-- 安全生产应急管理信息平台: incidents, duty and mobile command arrive with their issues.
CREATE SCHEMA emergency;
