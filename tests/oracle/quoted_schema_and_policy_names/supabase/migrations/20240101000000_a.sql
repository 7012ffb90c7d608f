create table "public"."Orders" ("Id" bigserial primary key, "UserId" uuid references auth.users (id));
alter table "public"."Orders" enable row level security;
create policy "Users See ""Their"" Orders" on "public"."Orders" for select to "authenticated" using ("UserId" = auth.uid());
create policy lowercase_me on "public"."Orders" for select to anon using (false);
alter policy LOWERCASE_ME on "Orders" rename to "StillQuoted";
