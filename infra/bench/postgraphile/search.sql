-- The members' search for PostGraphile, in a schema of the benchmark's own
-- (never in Socle's migrations), created by the schema owner. PostGraphile
-- exposes the function as the root field `searchMembers(fragment:)`.
--
-- It follows schemes/members/search.py: every word of the fragment (accents,
-- case and apostrophes aside) somewhere in the normalized name, or the
-- membership number, or an identity document's number, or the phone number,
-- within the caller's tenant, ordered by normalized name and id. Where it
-- differs: words are split by unaccent() and lower() rather than Python's
-- NFKD and casefold() (the same for the names Socle stores), and the phone
-- must be written in E.164, where Socle also reads a national number.
-- The trigram index serves the longest word (a constant of the statement:
-- search_words() is stable), the other words are checked on its rows, where
-- Socle gives the index every word. SECURITY INVOKER (the default):
-- row-level security applies as for Socle.
CREATE SCHEMA IF NOT EXISTS socle_bench;
GRANT USAGE ON SCHEMA socle_bench TO socle_application;

CREATE OR REPLACE FUNCTION socle_bench.search_words(fragment text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(word ORDER BY length(word) DESC, word), '{}')
  FROM regexp_split_to_table(
         public.unaccent(lower(regexp_replace(fragment, '[''’ʼ`]', '', 'g'))), '[^a-z0-9]+'
       ) AS word
  WHERE word <> ''
$$;

CREATE OR REPLACE FUNCTION socle_bench.search_members(fragment text) RETURNS SETOF public.members
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT m.*
  FROM public.members m
  WHERE m.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    AND m.id IN (
      SELECT n.id FROM public.members n
      WHERE n.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)
        AND n.normalized_name LIKE '%' || (socle_bench.search_words(fragment))[1] || '%'
        AND n.normalized_name LIKE ALL (SELECT '%' || word || '%' FROM unnest(socle_bench.search_words(fragment)) AS word)
      UNION
      SELECT u.id FROM public.members u WHERE u.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid) AND u.number = upper(btrim(fragment))
      UNION
      SELECT p.id FROM public.members p WHERE p.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid) AND p.phone = btrim(fragment)
      UNION
      SELECT d.member_id FROM public.identity_documents d
      WHERE d.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)
        AND d.normalized_number = upper(regexp_replace(fragment, '[\s./-]+', '', 'g'))
    )
  ORDER BY m.normalized_name, m.id
$$;

COMMENT ON FUNCTION socle_bench.search_words(text) IS E'@behavior -*';
COMMENT ON FUNCTION socle_bench.search_members(text) IS E'@name searchMembers\nMembers of the caller''s tenant that a name fragment or a number finds, by name.';

GRANT EXECUTE ON FUNCTION socle_bench.search_words(text), socle_bench.search_members(text) TO socle_application;
