-- The PRC working-day calendar (services/kit/workdays.py): one row per year whose State Council
-- holiday notice is entered, and its holidays and make-up working days. A year with no row is
-- counted from weekends alone and its deadlines are provisional.
CREATE TABLE kit.calendar_year (
    year        integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    version     integer NOT NULL CHECK (version >= 1),
    source      text NOT NULL DEFAULT '',
    entered_by  text NOT NULL,
    entered_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kit.calendar_day (
    day   date PRIMARY KEY,
    year  integer NOT NULL REFERENCES kit.calendar_year (year) ON DELETE CASCADE,
    kind  text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name  text NOT NULL DEFAULT '',
    CHECK (extract(year FROM day) = year)
);

-- Document serials (services/kit/docnumbers.py): the last serial issued per agency, document type
-- and year. A serial is taken by incrementing the row in the transaction that writes the document,
-- so a rolled-back document returns its serial and concurrent issuers queue on the row lock:
-- no gaps, no duplicates.
CREATE TABLE kit.document_serial (
    agency    text NOT NULL,
    doc_type  text NOT NULL,
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    last      integer NOT NULL CHECK (last >= 1),
    PRIMARY KEY (agency, doc_type, year)
);
