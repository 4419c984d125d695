-- Words shoppers search with that are not in a product's names: the other spellings and
-- transliterations of a thing, and the everyday word for a category or kind. Each word means
-- a term found in products' names, categories or kinds. Kept as data, so staff and operators
-- can add their own.
CREATE TABLE search_synonyms (
    term  text PRIMARY KEY CHECK (term = lower(term) AND term <> ''),
    means text NOT NULL CHECK (means = lower(means) AND means <> '')
);
INSERT INTO search_synonyms (term, means) VALUES
    ('утас', 'phones'), ('утсаа', 'phones'), ('утаснууд', 'phones'), ('смартфон', 'phones'),
    ('phone', 'phones'), ('smartphone', 'phones'), ('mobile', 'phones'),
    ('роутер', 'router'), ('рутер', 'router'), ('роутэр', 'router'), ('рүүтэр', 'router'),
    ('модем', 'router'), ('routers', 'router'), ('modem', 'router'), ('wifi', 'router'),
    ('багц', 'plan'), ('багцууд', 'plan'), ('тариф', 'plan'), ('plans', 'plan'), ('tariff', 'plan'),
    ('дата', 'data'), ('интернет', 'data'), ('internet', 'data'), ('гб', 'gb'),
    ('нэгж', 'top-up'), ('цэнэглэх', 'top-up'), ('цэнэглэлт', 'top-up'), ('topup', 'top-up'),
    ('кредит', 'top-up'), ('credit', 'top-up'),
    ('айфон', 'iphone'), ('ayfon', 'iphone'), ('самсунг', 'samsung'), ('галакси', 'galaxy'),
    ('хуавэй', 'huawei'), ('хуавей', 'huawei'), ('сяоми', 'xiaomi'), ('ксиоми', 'xiaomi'),
    ('дугаар', 'number'), ('numbers', 'number'), ('сим', 'sim'), ('и-сим', 'esim'), ('исим', 'esim'),
    ('e-sim', 'esim');
