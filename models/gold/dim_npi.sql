-- Current NPI registry records with valid check digits. NPI is BIGINT: most NPIs exceed 2^31.
SELECT npi, first_name, last_name, position, organisation_name, last_updated
FROM {{ ref('npi') }}
WHERE is_current AND NOT is_quarantined
