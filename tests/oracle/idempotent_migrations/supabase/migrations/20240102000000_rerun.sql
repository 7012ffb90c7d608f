create table if not exists public.settings (
  id bigserial primary key,
  something_else text
);
drop policy if exists "settings read" on public.settings;
create policy "settings read" on public.settings for select to authenticated using (user_id = (select auth.uid()));
drop policy if exists "never existed" on public.settings;
