alter default privileges in schema public revoke all on tables from anon;
create table t (id bigserial primary key);
create view tv as select id from t;
alter default privileges in schema public grant select on tables to anon;
create table t2 (id bigserial primary key);
create materialized view t2mv as select id from t2;
