-- 安全生产政务管理信息平台: portal content, e-documents and video consultation arrive with their issues.
CREATE SCHEMA govaffairs;
