create table t1 (id bigserial primary key);
create view v1 as select id from t1;
create table t2 (id bigserial primary key);
create view v2 with (security_invoker) as select id from t2;
alter view v2 rename to v2_renamed;
alter table v2_renamed rename to v2_again;
drop table t1 cascade;
