-- Opening hours are read in the page's language like a branch's name and address. The hours
-- written so far were English; their Mongolian is made from the day names and the one phrase
-- the shop used, and staff correct the rest on the branch's page.
ALTER TABLE branches RENAME COLUMN opening_hours TO opening_hours_en;
ALTER TABLE branches ADD COLUMN opening_hours_mn text NOT NULL DEFAULT '';
UPDATE branches SET opening_hours_mn =
    replace(replace(replace(replace(replace(replace(replace(replace(replace(opening_hours_en,
        'Mon', 'Даваа'), 'Tue', 'Мягмар'), 'Wed', 'Лхагва'), 'Thu', 'Пүрэв'), 'Fri', 'Баасан'),
        'Sat', 'Бямба'), 'Sun', 'Ням'), '(deliveries only)', '(зөвхөн хүргэлт)'), 'closed', 'амарна');
ALTER TABLE branches ALTER COLUMN opening_hours_mn DROP DEFAULT;
