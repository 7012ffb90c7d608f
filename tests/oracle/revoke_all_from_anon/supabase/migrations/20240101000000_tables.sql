create table audit_log (id bigserial primary key, event text);
create table announcements (id bigserial primary key, body text);
