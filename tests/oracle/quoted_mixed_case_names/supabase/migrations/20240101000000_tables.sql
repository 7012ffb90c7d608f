create table "UserProfiles" (
  "Id" uuid primary key references auth.users (id),
  "DisplayName" text
);
create table userprofiles (id bigserial primary key, note text);
create table MixedCase (id bigserial primary key, label text);
