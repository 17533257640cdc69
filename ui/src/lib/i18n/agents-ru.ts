import type { agentsEn } from './agents-en';

export const agentsRu = {
  'agents.status.ready': 'Готов',
  'agents.status.not_ready': 'Не готов',
  'agents.status.after_call_work': 'Обработка после звонка',
  'agents.status.offline': 'Вышел из системы',
  'agents.status.unreachable': 'Нет связи',

  'agents.control.label': 'Мой статус',
  'agents.control.ready': 'Готов',
  'agents.control.readyTitle': 'Готов принимать звонки (F2)',
  'agents.control.notReady': 'Не готов',
  'agents.control.notReadyTitle': 'Не готов: выберите причину (F3)',
  'agents.control.reasons': 'Причина неготовности',
  'agents.control.since': 'уже {time}',
  'agents.control.acwLeft': 'осталось {time}',
  'agents.control.unreachable':
    'Нет связи с вашим телефоном: звонки не поступают, пока связь не восстановится.',
  'agents.control.signedIn': 'Нажмите «Готов», когда будете готовы принимать звонки.',
  'agents.control.error': 'Статус не изменён: {message}',
  'agents.control.loadError': 'Не удалось загрузить ваш статус.',

  'agents.floor.actions': 'Действия',
  'agents.floor.forceReady': 'Сделать готовым',
  'agents.floor.disconnect': 'Отключить',
  'agents.floor.forceReadyWhy': 'Почему {name} переводится в «Готов»? (записывается в журнал)',
  'agents.floor.disconnectWhy': 'Почему {name} отключается? (записывается в журнал)',
  'agents.floor.confirm': 'Подтвердить',
  'agents.floor.title': 'Операторы',
  'agents.floor.empty': 'Операторов пока нет.',
  'agents.floor.error': 'Не удалось загрузить список операторов.',
  'agents.floor.name': 'Оператор',
  'agents.floor.status': 'Статус',
  'agents.floor.reason': 'Причина',
  'agents.floor.time': 'В статусе',
  'agents.floor.ready': 'готовы: {n}',
  'agents.floor.unreachableHint': 'Нет связи с телефоном; до этого: {status}',
} as const satisfies { readonly [K in keyof typeof agentsEn]: string };
