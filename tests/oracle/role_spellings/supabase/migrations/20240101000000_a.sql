create table r (id bigserial primary key);
alter table r enable row level security;
create policy "p public" on r for select to PUBLIC using (true);
create policy "p quoted" on r for select to "anon" using (true);
create policy "p upper" on r as PERMISSIVE for ALL to AUTHENTICATED using (TRUE) with check (TRUE);
create policy "p many" on r for insert to anon, authenticated, service_role with check (1 = 1);
