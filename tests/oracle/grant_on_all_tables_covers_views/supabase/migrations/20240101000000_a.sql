create table base (id bigserial primary key, v text);
create view base_view as select id, v from base;
revoke all on all tables in schema public from anon, authenticated;
grant select on all tables in schema public to anon;
