create table documents (
  id bigserial primary key,
  owner uuid not null references auth.users (id),
  content text
);
alter table documents enable row level security;
alter table documents force row level security;
create policy "signed in read" on documents as permissive for select to authenticated using (true);
create policy "only owners" on documents as restrictive for select to authenticated using ((select auth.uid()) = owner);

create table drafts (id bigserial primary key, content text);
alter table drafts force row level security;
alter table drafts enable row level security;
