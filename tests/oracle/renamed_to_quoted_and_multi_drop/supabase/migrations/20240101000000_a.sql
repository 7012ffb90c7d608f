create table plain (id bigserial primary key, who uuid);
alter table plain enable row level security;
create policy "mine" on plain for select to authenticated using (who = auth.uid());
alter table plain rename to "Fancy";
create table x1 (id int); create table x2 (id int); create table x3 (id int);
drop table x1, x2;
drop table if exists x3, nope cascade;
alter policy "mine" on "Fancy" rename to "Mine";
