import type { phoneEn } from './phone-en';

export const phoneRu = {
  'phone.title': 'Телефон',
  'phone.line.off': 'Телефон выключен',
  'phone.line.connecting': 'Подключение…',
  'phone.line.registered': 'Готов принимать звонки',
  'phone.line.reconnecting': 'Связь потеряна, переподключение…',
  'phone.line.failed': 'Телефон не подключён',
  'phone.incoming': 'Входящий звонок',
  'phone.active': 'Идёт разговор',
  'phone.connecting': 'Соединение…',
  'phone.ended': 'Звонок завершён',
  'phone.answer': 'Ответить',
  'phone.hangup': 'Завершить',
  'phone.mute': 'Выключить микрофон',
  'phone.unmute': 'Включить микрофон',
  'phone.dismiss': 'Закрыть',
  'phone.retry': 'Подключить снова',
  'phone.unknownCaller': 'Номер скрыт',
  'phone.language': 'Язык: {lang}',
  'phone.service': 'Набран номер: {service}',
  'phone.shortcut': '{action} ({key})',
  'phone.devices': 'Гарнитура',
  'phone.device.input': 'Микрофон',
  'phone.device.output': 'Динамик',
  'phone.device.default': 'По умолчанию',
  'phone.problem.mic_denied':
    'Браузер не даёт доступ к микрофону. Разрешите его для этого сайта (значок замка в адресной строке) и ответьте снова.',
  'phone.problem.mic_missing':
    'Микрофон не найден. Подключите гарнитуру и выберите её в разделе «Гарнитура».',
  'phone.problem.mic_busy': 'Микрофон занят другой программой. Закройте её и попробуйте снова.',
  'phone.problem.no_softphone': 'У вашей учётной записи нет телефона. Обратитесь к администратору.',
  'phone.problem.auth':
    'АТС отклонила пароль телефона. Выйдите и войдите снова; если не поможет, обратитесь к администратору.',
  'phone.problem.network': 'АТС недоступна. Телефон продолжает подключаться сам.',
  'phone.problem.media': 'Не удалось установить звук звонка. Сообщите администратору.',
  'phone.problem.unknown':
    'Сбой телефона. Попробуйте снова; если повторится, сообщите администратору.',
  'phone.hold': 'Удержание',
  'phone.resume': 'Вернуть',
  'phone.onHold': 'Абонент на удержании',
} as const satisfies { readonly [K in keyof typeof phoneEn]: string };
