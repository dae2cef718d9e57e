// What this script may say to a visitor: Ukrainian first, then English, as on every course page.
const MESSAGES = {
  'no-kernel': {
    uk: 'Сторінка не змогла з’єднатися із сервером курсу, тож поля й кнопки не працюють. Оновіть сторінку; якщо не допоможе — напишіть організаторам курсу.',
    en: 'The page could not connect to the course server, so its fields and buttons do not work. Reload the page; if that does not help, write to the course team.',
  },
  'some-widgets-failed': {
    uk: 'Частину елементів сторінки не вдалося показати. Оновіть сторінку.',
    en: 'Some parts of the page could not be shown. Reload the page.',
  },
};

export function message(code) {
  const entry = MESSAGES[code];
  return `${entry.uk} / ${entry.en}`;
}
