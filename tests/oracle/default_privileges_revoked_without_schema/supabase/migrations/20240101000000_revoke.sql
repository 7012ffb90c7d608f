alter default privileges revoke all on tables from anon;
create table after_global_revoke (id bigserial primary key, v text);
