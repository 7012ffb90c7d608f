create table comments (id bigserial primary key, body text);
