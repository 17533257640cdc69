import type { agentsEn } from './agents-en';

export const agentsKk = {
  'agents.status.ready': 'Дайын',
  'agents.status.not_ready': 'Дайын емес',
  'agents.status.after_call_work': 'Қоңыраудан кейінгі жұмыс',
  'agents.status.offline': 'Жүйеден шықты',
  'agents.status.unreachable': 'Байланыс жоқ',

  'agents.control.label': 'Менің күйім',
  'agents.control.ready': 'Дайын',
  'agents.control.readyTitle': 'Қоңырау қабылдауға дайын (F2)',
  'agents.control.notReady': 'Дайын емес',
  'agents.control.notReadyTitle': 'Дайын емес: себебін таңдаңыз (F3)',
  'agents.control.reasons': 'Дайын емес себебі',
  'agents.control.since': '{time} бойы',
  'agents.control.acwLeft': '{time} қалды',
  'agents.control.unreachable':
    'Телефоныңызбен байланыс жоқ: ол қалпына келгенше қоңыраулар сізге түспейді.',
  'agents.control.signedIn': 'Қоңырау қабылдауға дайын болғанда «Дайын» түймесін басыңыз.',
  'agents.control.error': 'Күй өзгертілмеді: {message}',
  'agents.control.loadError': 'Күйіңізді жүктеу мүмкін болмады.',

  'agents.floor.actions': 'Әрекеттер',
  'agents.floor.forceReady': 'Дайын ету',
  'agents.floor.disconnect': 'Ажырату',
  'agents.floor.forceReadyWhy': '{name} неге дайын етіледі? (журналға жазылады)',
  'agents.floor.disconnectWhy': '{name} неге ажыратылады? (журналға жазылады)',
  'agents.floor.confirm': 'Растау',
  'agents.floor.title': 'Операторлар',
  'agents.floor.empty': 'Операторлар әлі жоқ.',
  'agents.floor.error': 'Операторлар тізімін жүктеу мүмкін болмады.',
  'agents.floor.name': 'Оператор',
  'agents.floor.status': 'Күйі',
  'agents.floor.reason': 'Себебі',
  'agents.floor.time': 'Күйде',
  'agents.floor.ready': '{n} дайын',
  'agents.floor.unreachableHint': 'Телефонмен байланыс жоқ; бұған дейін: {status}',
} as const satisfies { readonly [K in keyof typeof agentsEn]: string };
