/** The redemption codes page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: {
    title: 'Redemption codes',
    description:
      'Codes that add an amount to the balance of whoever redeems them (on their Account page). Each code works once.',
    create: 'Make codes',
    empty: 'No redemption codes yet.',
    status: { unused: 'Unused', used: 'Redeemed', disabled: 'Disabled' },
    column: {
      name: 'Name',
      amount: 'Amount',
      status: 'Status',
      created: 'Created',
      redeemedBy: 'Redeemed by',
      redeemedAt: 'Redeemed at',
      actions: 'Actions',
    },
    menu: 'Actions for code #{{id}}',
    userFallback: 'User #{{id}}',
    disabledNow: 'Code disabled',
    enabledNow: 'Code enabled again',
    form: {
      title: 'Make redemption codes',
      name: 'Name',
      nameHint: 'What they are for, e.g. “March credits”; shown in this list only',
      nameRequired: 'Enter a name',
      amount: 'Amount per code',
      amountInvalid: 'More than $0',
      count: 'How many codes',
      countInvalid: 'From 1 to 100',
      submit: 'Make codes',
    },
    shown: {
      title_one: 'Your new code',
      title_other: 'Your {{count}} new codes',
      warning:
        'Copy them now: the codes are shown this once and are stored only as hashes. Whoever has a code can redeem it.',
    },
  },
  zh: {
    title: '兑换码',
    description: '兑换后可为兑换者的余额增加相应金额（在“个人中心”兑换）。每个兑换码只能使用一次。',
    create: '生成兑换码',
    empty: '暂无兑换码。',
    status: { unused: '未使用', used: '已兑换', disabled: '已禁用' },
    column: {
      name: '名称',
      amount: '金额',
      status: '状态',
      created: '创建时间',
      redeemedBy: '兑换用户',
      redeemedAt: '兑换时间',
      actions: '操作',
    },
    menu: '兑换码 #{{id}} 的操作',
    userFallback: '用户 #{{id}}',
    disabledNow: '兑换码已禁用',
    enabledNow: '兑换码已重新启用',
    form: {
      title: '生成兑换码',
      name: '名称',
      nameHint: '用途说明，如“三月赠送额度”；仅在此列表中显示',
      nameRequired: '请输入名称',
      amount: '每个兑换码的金额',
      amountInvalid: '须大于 $0',
      count: '生成数量',
      countInvalid: '1 到 100 个',
      submit: '生成',
    },
    shown: {
      title_one: '新兑换码',
      title_other: '{{count}} 个新兑换码',
      warning: '请立即复制：兑换码只显示这一次，系统仅保存其哈希值。任何持有兑换码的人都可以兑换。',
    },
  },
});
