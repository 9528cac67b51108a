; Script-Fu helpers for the real-GIMP tests of the plug-in. The test scripts
; copy this file into the fresh HOME's scripts folder, so GIMP defines these
; procedures at start-up, for `gimp-console -b` and the Script-Fu server
; alike. Everything is reported as `BBTEST <tag> <key> <value>` lines through
; gimp-message (gimp-console prints them on stderr); the shell scripts judge
; those lines and the PNG files written here.

(define (bb-say . words)
  (gimp-message (apply string-append "BBTEST " words)))

(define (bb-int n) (number->string n))

(define (bb-layer-ids img)
  (vector->list (cadr (gimp-image-get-layers img))))

; (bb-try thunk): thunk's value, or (error "message") when a PDB call in it
; fails. Script-Fu's own `catch` drops the message, and the tests judge it.
(define (bb-try thunk)
  (call/cc
    (lambda (return)
      (let ((previous-hook *error-hook*))
        (set! *error-hook*
              (lambda args
                (set! *error-hook* previous-hook)
                (return (cons 'error args))))
        (let ((value (thunk)))
          (set! *error-hook* previous-hook)
          value)))))

(define (bb-failed? value) (and (pair? value) (eq? (car value) 'error)))

(define (bb-export img drawable file)
  (file-png-save-defaults RUN-NONINTERACTIVE img drawable file file))

; Every layer as DIR/TAG-<layer id>.png, to compare pixels by layer id.
(define (bb-export-layers img dir tag)
  (for-each (lambda (layer)
              (bb-export img layer (string-append dir "/" tag "-" (bb-int layer) ".png")))
            (bb-layer-ids img)))

; The face file FACES/NAME.* (.png in the shared data, .jpg in samples/) as
; a layer named NAME, scaled to SIZE x SIZE, put on top of IMG's stack.
(define (bb-add-face img faces name size)
  (let* ((file (car (cadr (file-glob (string-append faces "/" name ".*") 0))))
         (layer (car (gimp-file-load-layer RUN-NONINTERACTIVE img file))))
    (gimp-image-insert-layer img layer 0 0)
    (gimp-layer-scale layer size size FALSE)
    (gimp-item-set-name layer name)
    layer))

; The sample faces as one SIZE x SIZE image. Stack, top to bottom:
; 117 (appearance), 16 (identity), 15 (structure): the identity layer sits in
; the middle, so "above the identity layer" differs from "on top".
; Built without undo steps: the only undo step the tests see is the plug-in's.
(define (bb-face-image faces size)
  (let ((img (car (gimp-image-new size size RGB))))
    (gimp-image-undo-disable img)
    (bb-add-face img faces "15" size)
    (bb-add-face img faces "16" size)
    (bb-add-face img faces "117" size)
    (gimp-image-undo-enable img)
    img))

(define (bb-layer img name) (car (gimp-image-get-layer-by-name img name)))

; The three role layers exported as DIR/identity.png, structure.png and
; appearance.png: the CLI's inputs for the same transfer.
(define (bb-export-roles img dir)
  (bb-export img (bb-layer img "16") (string-append dir "/identity.png"))
  (bb-export img (bb-layer img "15") (string-append dir "/structure.png"))
  (bb-export img (bb-layer img "117") (string-append dir "/appearance.png")))

; The identity layer: face 16, or the ordinary photo of the photo test.
(define (bb-identity-layer img)
  (let ((face (bb-layer img "16")))
    (if (> face 0) face (bb-layer img "photo"))))

(define (bb-report-new-layer tag img layer dir)
  (bb-say tag " name " (car (gimp-item-get-name layer)))
  (bb-say tag " size " (bb-int (car (gimp-drawable-width layer)))
          "x" (bb-int (car (gimp-drawable-height layer))))
  (bb-say tag " position " (bb-int (car (gimp-image-get-item-position img layer)))
          " identity-position "
          (bb-int (car (gimp-image-get-item-position img (bb-identity-layer img)))))
  (bb-export img layer (string-append dir "/" tag ".png")))

; Calls THUNK (one plug-in call on IMG) and reports what it did: the layer
; counts before and after, the error message or the new layer's name, size
; and position, every layer's pixels before and after (DIR/TAG-before-<id>.png,
; DIR/TAG-after-<id>.png) and the new layer itself as DIR/TAG.png.
(define (bb-call-and-report tag img dir thunk)
  (bb-say tag " layers-before " (bb-int (length (bb-layer-ids img))))
  (bb-export-layers img dir (string-append tag "-before"))
  (let ((result (bb-try thunk)))
    (if (bb-failed? result)
        (bb-say tag " error " (cadr result))
        (bb-report-new-layer tag img (car result) dir))
    (bb-say tag " layers-after " (bb-int (length (bb-layer-ids img))))
    (bb-export-layers img dir (string-append tag "-after"))
    result))

; plug-in-barbershop on the sample faces: paper preset (the tests shrink its
; steps with BARBERSHOP_STEPS), realistic mode, smooth 5, seed 0, no masks.
(define (bb-transfer img run-mode structure)
  (plug-in-barbershop run-mode img (bb-layer img "16") structure (bb-layer img "117")
                      -1 -1 -1 -1 0 0 5 0))

; The headless test with working weights: a call without a structure layer
; must fail and change nothing; then a transfer and a hair mask.
(define (bb-headless-with-weights faces size dir)
  (let ((img (bb-face-image faces size)))
    (bb-export-roles img dir)
    (bb-call-and-report "no-structure" img dir
                        (lambda () (bb-transfer img RUN-NONINTERACTIVE -1)))
    (bb-call-and-report "transfer" img dir
                        (lambda () (bb-transfer img RUN-NONINTERACTIVE (bb-layer img "15"))))
    (bb-call-and-report "hair-mask" img dir
                        (lambda () (plug-in-barbershop-hair-mask RUN-NONINTERACTIVE img
                                                                 (bb-layer img "16"))))
    (gimp-image-delete img)
    (bb-say "headless done")))

; The headless test run with BARBERSHOP_WEIGHTS naming a missing folder.
(define (bb-headless-missing-weights faces size dir)
  (let ((img (bb-face-image faces size)))
    (bb-call-and-report "missing-weights" img dir
                        (lambda () (bb-transfer img RUN-NONINTERACTIVE (bb-layer img "15"))))
    (gimp-image-delete img)
    (bb-say "missing-weights done")))

; A black layer of IMG's size with a white rectangle: a hand-painted hair mask.
(define (bb-add-mask img name x y width height)
  (let ((mask (car (gimp-layer-new img (car (gimp-image-width img)) (car (gimp-image-height img))
                                   RGB-IMAGE name 100 LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer img mask 0 0)
    (gimp-context-push)
    (gimp-context-set-foreground '(0 0 0))
    (gimp-drawable-edit-fill mask FILL-FOREGROUND)
    (gimp-image-select-rectangle img CHANNEL-OP-REPLACE x y width height)
    (gimp-context-set-foreground '(255 255 255))
    (gimp-drawable-edit-fill mask FILL-FOREGROUND)
    (gimp-selection-none img)
    (gimp-context-pop)
    mask))

; An ordinary photo (PHOTO, scaled to WIDTH pixels wide) as the identity
; layer of a new image, with the sample faces 15 and 117 as the hair layers
; and a painted hair mask over the top of the head (a random-weight parser
; finds no hair, so without it nothing would be pasted): the plug-in finds
; the face, aligns it, and pastes the result back.
(define (bb-photo-transfer photo width faces size dir)
  (let* ((img (car (gimp-file-load RUN-NONINTERACTIVE photo photo)))
         (layer (car (gimp-image-get-active-layer img)))
         (height (/ (* width (car (gimp-image-height img))) (car (gimp-image-width img)))))
    (gimp-image-undo-disable img)
    (gimp-image-scale img width height)
    (gimp-item-set-name layer "photo")
    (bb-add-face img faces "15" size)
    (bb-add-face img faces "117" size)
    (bb-add-mask img "photo hair" (/ width 3) (/ height 40) (/ width 3) (/ height 8))
    (gimp-image-undo-enable img)
    (bb-export img layer (string-append dir "/original.png"))
    (bb-call-and-report "photo" img dir
                        (lambda () (plug-in-barbershop RUN-NONINTERACTIVE img layer (bb-layer img "15")
                                                       (bb-layer img "117") (bb-layer img "photo hair")
                                                       -1 -1 -1 0 0 5 0)))
    (gimp-image-delete img)
    (bb-say "photo done")))

; Layers of other kinds: the hair mask of the identity face in a grey image,
; and of an RGBA layer moved off the origin (its mask must land at the same
; offsets); then a transfer whose structure is a 1x1 layer from another
; image, which must be refused before any work with the image unchanged.
(define (bb-layer-types faces size dir)
  (let* ((grey (bb-face-image faces size))
         (rgba (bb-face-image faces size))
         (moved (bb-layer rgba "16"))
         (tiny (car (gimp-image-new 1 1 RGB)))
         (dot (car (gimp-layer-new tiny 1 1 RGB-IMAGE "dot" 100 LAYER-MODE-NORMAL))))
    (gimp-image-convert-grayscale grey)
    (let ((result (bb-call-and-report "grey" grey dir
                                      (lambda () (plug-in-barbershop-hair-mask RUN-NONINTERACTIVE grey
                                                                               (bb-layer grey "16"))))))
      (if (not (bb-failed? result))
          (bb-say "grey is-gray " (bb-int (car (gimp-drawable-is-gray (car result)))))))
    (gimp-layer-add-alpha moved)
    (gimp-layer-set-offsets moved 7 5)
    (let ((result (bb-call-and-report "rgba" rgba dir
                                      (lambda () (plug-in-barbershop-hair-mask RUN-NONINTERACTIVE rgba moved)))))
      (if (not (bb-failed? result))
          (let ((offsets (gimp-drawable-offsets (car result))))
            (bb-say "rgba offsets " (bb-int (car offsets)) "," (bb-int (cadr offsets))))))
    (gimp-image-insert-layer tiny dot 0 0)
    (bb-call-and-report "tiny" rgba dir
                        (lambda () (bb-transfer rgba RUN-NONINTERACTIVE dot)))
    (for-each gimp-image-delete (list grey rgba tiny))
    (bb-say "layer-types done")))

; For the tests under Xvfb: the face image shown in a display.
(define (bb-show-faces faces size)
  (let ((img (bb-face-image faces size)))
    (gimp-display-new img)
    (gimp-displays-flush)
    img))

; The procedure the dialog's "Download missing files" button runs: into DIR
; from the mirror BASE, twice (the second time everything is there), then
; from BAD-BASE with DIR2 (fails, a message). Reports each outcome.
(define (bb-download-weights dir base dir2 bad-base)
  (let ((first (bb-try (lambda () (plug-in-barbershop-download-weights RUN-NONINTERACTIVE dir base)))))
    (bb-say "download first " (if (bb-failed? first) (cadr first) "ok")))
  (let ((again (bb-try (lambda () (plug-in-barbershop-download-weights RUN-NONINTERACTIVE dir base)))))
    (bb-say "download again " (if (bb-failed? again) (cadr again) "ok")))
  (let ((bad (bb-try (lambda () (plug-in-barbershop-download-weights RUN-NONINTERACTIVE dir2 bad-base)))))
    (bb-say "download bad " (if (bb-failed? bad) (cadr bad) "ok")))
  (bb-say "download done"))

; A copy of IMG's layer NAME as "shape-NAME" at POSITION inside GROUP.
(define (bb-copy-into img group name position)
  (let ((copy (car (gimp-layer-copy (bb-layer img name) FALSE))))
    (gimp-image-insert-layer img copy group position)
    (gimp-item-set-name copy (string-append "shape-" name))
    copy))

; A new layer group NAME on top of IMG's stack.
(define (bb-add-group img name)
  (let ((group (car (gimp-layer-group-new img))))
    (gimp-image-insert-layer img group 0 0)
    (gimp-item-set-name group name)
    group))

; The group test's image, shown in a display: the sample faces, a group
; "shapes" holding copies of 15, 117 and 16 (top to bottom: shape-15,
; shape-117, shape-16), a group "two" of two copies and an empty group.
; Built without undo steps, as bb-face-image.
(define (bb-show-group-faces faces size)
  (let* ((img (bb-face-image faces size)))
    (gimp-image-undo-disable img)
    (let ((shapes (bb-add-group img "shapes"))
          (two (bb-add-group img "two")))
      (bb-copy-into img shapes "15" 0)
      (bb-copy-into img shapes "117" 1)
      (bb-copy-into img shapes "16" 2)
      (bb-copy-into img two "15" 0)
      (bb-copy-into img two "117" 1))
    (bb-add-group img "empty")
    (gimp-image-undo-enable img)
    (gimp-display-new img)
    (gimp-displays-flush)
    img))

; A group "mirrored" on top: the faces 15, 117 and 16 flipped left to right,
; images unlike any other layer, so a run over it embeds each of them (the
; group test's cancel). Made with undo off, which also empties the stack.
(define (bb-add-mirrored-group img)
  (gimp-image-undo-disable img)
  (let ((group (bb-add-group img "mirrored")))
    (let loop ((names '("15" "117" "16")) (position 0))
      (if (not (null? names))
          (begin
            (gimp-item-transform-flip-simple (bb-copy-into img group (car names) position)
                                             ORIENTATION-HORIZONTAL TRUE 0)
            (loop (cdr names) (+ position 1)))))
    (gimp-image-undo-enable img)
    (gimp-displays-flush)
    group))

; plug-in-barbershop with the face 16 and the given shape and colour
; (layers or groups), settings as bb-transfer.
(define (bb-transfer-styles img structure appearance)
  (car (plug-in-barbershop RUN-NONINTERACTIVE img (bb-layer img "16") structure appearance
                           -1 -1 -1 -1 0 0 5 0)))

; The layers inside GROUP, top to bottom.
(define (bb-children group) (vector->list (cadr (gimp-item-get-children group))))

; Every layer of GROUP as DIR/style-<k>.png, k from 1, top to bottom;
; returns their names joined by "|".
(define (bb-export-styles img group dir)
  (let loop ((layers (bb-children group)) (k 1) (names ""))
    (if (null? layers)
        names
        (begin
          (bb-export img (car layers) (string-append dir "/style-" (bb-int k) ".png"))
          (loop (cdr layers) (+ k 1)
                (string-append names (if (= k 1) "" "|") (car (gimp-item-get-name (car layers)))))))))
