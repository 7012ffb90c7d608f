create table public.cargo (
  id bigint generated always as identity primary key,
  description text not null,
  weight_kg numeric
);
alter table public.cargo enable row level security;
create policy "auth all" on public.cargo for all to authenticated using (true) with check (true);
