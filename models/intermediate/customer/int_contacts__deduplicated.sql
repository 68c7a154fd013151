{#-
    One row per CRM contact: its latest valid export (rules: int_contacts__checked), with the
    days it was first and last exported and how many valid exports it had. Everything else is
    in int_contacts__rejected.
-#}
{{ quarantine_rows('int_contacts__checked', rejected=false) }}
