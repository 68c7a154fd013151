-- Rows of the customer entities in every layer, per ingestion run (macro row_counts_by_load).
-- CRM lines that the loader could not parse are kept in raw as contacts_rejected; the clean
-- contacts are the deduplicated ones (a superseded export row is quarantined as a duplicate).
{{ row_counts_by_load([
    {'entity': 'contacts', 'source': 'crm', 'raw': 'contacts', 'raw_rejected': 'contacts_rejected',
     'audit_keys': ['contacts', 'contacts_rejected'], 'staging': 'stg_crm__contacts',
     'clean': 'int_contacts__deduplicated', 'rejected': 'int_contacts__rejected'},
    {'entity': 'reviews', 'source': 'reviews', 'raw': 'reviews', 'audit_keys': ['reviews'],
     'staging': 'stg_reviews__reviews', 'clean': 'int_reviews__validated',
     'rejected': 'int_reviews__rejected', 'mart': 'fct_reviews'},
    {'entity': 'customers', 'source': 'shop', 'raw': 'customers', 'audit_keys': ['customers'],
     'staging': 'stg_shop__customers'},
    {'entity': 'erasure_requests', 'source': 'shop', 'raw': 'erasure_requests',
     'audit_keys': ['erasure_requests'], 'staging': 'stg_shop__erasure_requests'},
]) }}
