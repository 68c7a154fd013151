{#-
    The staged CRM contact rows that int_contacts__deduplicated leaves out, each with the first
    rule it breaks (rules and their order: int_contacts__checked): the rows that break a
    validation rule, which int_contacts__validated leaves out too, and the older exports of a
    contact that a later export supersedes.
-#}
{{ quarantine_rows('int_contacts__checked', rejected=true) }}
