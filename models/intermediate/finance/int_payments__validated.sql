{#-
    One row per staged payment attempt that passes every validation rule of
    int_payments__checked: it names a clean order (int_orders__validated) and its currency has
    an exchange rate on its date. Failed and refunded attempts are clean payments too: `status`
    tells them apart. The staged columns unchanged, plus `payment_date`, the UTC day the payment
    is converted at. Staged payments = these + int_payments__rejected.
-#}
{{ quarantine_rows('int_payments__checked', rejected=false) }}
