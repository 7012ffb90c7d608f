create table categories (id bigserial primary key, name text);
create table tags (id bigserial primary key, label text);
alter table tags enable row level security;
create policy "tags are public" on tags for select to anon, authenticated using (true);
