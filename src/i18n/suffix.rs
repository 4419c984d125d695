//! Mongolian case endings chosen by vowel harmony, for names filled into a sentence: a catalog
//! writes `{branch:abl}` ("from the branch") or `{name:dat}` ("to Bold") and the ending follows
//! the word: "Төв салбараас", "Зайсангаас", "Болдод", "Сараад". The ending goes on the last word
//! of a name; a word in Latin letters (or with digits) takes it after a hyphen, as it is read.

/// The vowel quality a word's endings follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Harmony {
    /// а, у, я, ю: -аас, -ад.
    Back,
    /// о, ё: -оос, -од.
    BackRound,
    /// э, е, ү, и: -ээс, -эд.
    Front,
    /// ө: -өөс, -өд.
    FrontRound,
}

fn harmony(word: &str) -> Option<Harmony> {
    // The first vowel other than и (which goes with either) decides.
    word.chars()
        .flat_map(char::to_lowercase)
        .find_map(|c| match c {
            'а' | 'у' | 'я' | 'ю' => Some(Harmony::Back),
            'о' | 'ё' => Some(Harmony::BackRound),
            'э' | 'е' | 'ү' => Some(Harmony::Front),
            'ө' => Some(Harmony::FrontRound),
            _ => None,
        })
        .or_else(|| word.chars().any(|c| c == 'и' || c == 'И').then_some(Harmony::Front))
}

fn is_vowel(c: char) -> bool {
    "аэиоуөүяеёюы".contains(c)
}

fn cyrillic(word: &str) -> bool {
    word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) && !word.chars().any(|c| c.is_ascii_alphanumeric())
}

/// "from": -аас/-ээс/-оос/-өөс, with г after a vowel or й.
pub fn ablative(name: &str) -> String {
    let last = name.rsplit(' ').next().unwrap_or(name);
    let Some(h) = cyrillic(last).then(|| harmony(last)).flatten() else { return format!("{name}-аас") };
    let long = match h {
        Harmony::Back => "аас",
        Harmony::BackRound => "оос",
        Harmony::Front => "ээс",
        Harmony::FrontRound => "өөс",
    };
    let end = last.chars().last().map(|c| c.to_lowercase().next().unwrap_or(c)).unwrap_or(' ');
    // A final short vowel gives way to the long one; a long vowel, diphthong or й takes г.
    let chars: Vec<char> = last.chars().flat_map(char::to_lowercase).collect();
    let long_end = chars.len() >= 2 && is_vowel(chars[chars.len() - 1]) && is_vowel(chars[chars.len() - 2]);
    if end == 'й' || long_end {
        format!("{name}г{long}")
    } else if is_vowel(end) {
        let mut stem: String = name.to_string();
        stem.pop();
        format!("{stem}{long}")
    } else if end == 'н' {
        // Most names in -н hide a г (Зайсан, Хэнтий's Өндөрхаан): "Зайсангаас".
        format!("{name}г{long}")
    } else {
        format!("{name}{long}")
    }
}

/// "to, at": -д, or -т after в, р, с, г; -ад/-эд/-од/-өд after ж, ч, ш, д, т and clusters.
pub fn dative(name: &str) -> String {
    let last = name.rsplit(' ').next().unwrap_or(name);
    if !cyrillic(last) {
        return format!("{name}-д");
    }
    let chars: Vec<char> = last.chars().flat_map(char::to_lowercase).collect();
    let end = chars.last().copied().unwrap_or(' ');
    let before = if chars.len() >= 2 { chars[chars.len() - 2] } else { ' ' };
    let linking = match harmony(last) {
        Some(Harmony::BackRound) => "од",
        Some(Harmony::FrontRound) => "өд",
        Some(Harmony::Front) => "эд",
        _ => "ад",
    };
    if "жчшщ".contains(end) {
        format!("{name}ид")
    } else if "дт".contains(end) || (!is_vowel(end) && !is_vowel(before) && end != 'й' && end != 'ь') {
        format!("{name}{linking}")
    } else if "врсг".contains(end) {
        format!("{name}т")
    } else {
        format!("{name}д")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_follow_the_word() {
        assert_eq!(ablative("Төв салбар"), "Төв салбараас");
        assert_eq!(ablative("Зайсан салбар"), "Зайсан салбараас");
        assert_eq!(ablative("Зайсан"), "Зайсангаас");
        assert_eq!(ablative("Хөвсгөл"), "Хөвсгөлөөс");
        assert_eq!(ablative("Болд"), "Болдоос");
        assert_eq!(ablative("Сэлэнгэ"), "Сэлэнгээс");
        assert_eq!(ablative("Далай"), "Далайгаас");
        assert_eq!(ablative("Central branch"), "Central branch-аас");
        assert_eq!(dative("Бат"), "Батад");
        assert_eq!(dative("Болд"), "Болдод");
        assert_eq!(dative("Сараа"), "Сараад");
        assert_eq!(dative("Дорж"), "Доржид");
        assert_eq!(dative("Төмөр"), "Төмөрт");
        assert_eq!(dative("Өлзий"), "Өлзийд");
        assert_eq!(dative("Bat"), "Bat-д");
    }
}
