create table late (id bigserial primary key, v text);
create table late_granted (id bigserial primary key, v text);
grant select, insert on late_granted to authenticated;
