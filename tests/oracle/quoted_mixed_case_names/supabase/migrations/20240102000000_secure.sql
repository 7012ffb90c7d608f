alter table public."UserProfiles" enable row level security;
create policy "Own Profile" on "UserProfiles" for select to authenticated using (auth.uid() = "Id");
alter table MIXEDCASE enable row level security;
create policy "Everyone Reads" on "mixedcase" for select to anon using (true);
